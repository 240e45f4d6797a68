import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { pdfToText } from '../support/poppler.ts';
import { WebSession } from '../support/web-session.ts';

describe('the handover report page and PDF, and the admin’s terms', () => {
  const app = useTestApp();

  it('shows the council’s own people the report and its PDF in the letterhead; staff and other councils get 404', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const stranger = await makeCouncilWithPeople(db);
    const title = `Handleplan for lektiehjælp ${unique()}`;
    const answered = await makeConsultationInState(app.deps, people, 'submitted', { title });
    const open = await makeConsultationInState(app.deps, people, 'drafting', { title: 'Forslag til <b>fritidspolitik</b>' });

    const chair = await WebSession.loggedIn(app.baseUrl, people.chair);
    const page = await chair.get(`/councils/${people.council.slug}/handover`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`<h1>Overdragelsesrapport for ${people.council.name}</h1>`);
    expect(page.text).to.include(`href="/consultations/${answered.id}"`).and.include(`href="/consultations/${answered.id}/response.pdf"`);
    // The authority's text is escaped wherever it shows.
    expect(page.text).to.include(`href="/consultations/${open.id}"`).and.include('Forslag til &lt;b&gt;fritidspolitik&lt;/b&gt;');
    expect(page.text).to.include('Ahmad Hussein').and.include('Mette Kjærgaard');
    // The open one's state in words (a view helper named stateLabel once shadowed the field).
    expect(page.text).to.include('<td data-label="Status">Under udarbejdelse</td>').and.not.include('[object Object]');
    // Handlebars writes "=" as "&#x3D;" in an attribute.
    const pdfLink = /href="(\/councils\/[^"]+\/handover\.pdf\?periode(?:=|&#x3D;)\d{4})"/.exec(page.text)?.[1]?.replace('&#x3D;', '=');
    expect(pdfLink, 'the PDF link').to.be.a('string');

    const response = await fetch(app.baseUrl + pdfLink!, { headers: { cookie: chair.cookieHeader() } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/pdf');
    expect(response.headers.get('content-disposition')).to.match(
      new RegExp(`^inline; filename="overdragelse-${people.council.slug}-\\d{4}-\\d{4}\\.pdf"$`),
    );
    const text = (await pdfToText(Buffer.from(await response.arrayBuffer()))).replace(/\s+/g, ' ');
    expect(text).to.include('Overdragelsesrapport').and.include(people.council.name).and.include(title);
    expect(text).to.include('Forslag til <b>fritidspolitik</b>').and.include('Høringer, der stadig er åbne').and.include('Ahmad Hussein');

    const staff = await WebSession.loggedIn(app.baseUrl, people.staff);
    const outsider = await WebSession.loggedIn(app.baseUrl, stranger.secretary);
    for (const web of [staff, outsider]) {
      for (const path of ['handover', 'handover.pdf']) {
        const refused = await web.get(`/councils/${people.council.slug}/${path}`);
        expect(refused.status, path).to.equal(404);
        expect(refused.text).not.to.include(title);
      }
    }
    const anonymous = await new WebSession(app.baseUrl).get(`/councils/${people.council.slug}/handover`);
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.get('location')).to.match(/^\/login/);
    expect((await staff.get('/profile')).text).not.to.include('/handover');
    expect((await chair.get('/profile')).text).to.include(`href="/councils/${people.council.slug}/handover"`);
    // A mistyped period still shows a report: the one covering today.
    expect((await chair.get(`/councils/${people.council.slug}/handover?periode=tyve`)).status).to.equal(200);
  });

  it('an admin ends a seat’s term from the person’s page: the council page lists them as former, and their access ends', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true, name: 'Administrator' });
    const consultation = await makeConsultationInState(app.deps, people, 'assigned');
    const member = await WebSession.loggedIn(app.baseUrl, people.member);
    expect((await member.get(`/consultations/${consultation.id}`)).status).to.equal(200);

    const web = await WebSession.loggedIn(app.baseUrl, admin);
    const userPage = `/admin/users/${people.member.actor.userId}`;
    const refused = await web.postForm(`${userPage}/memberships/${people.council.id}/term`, {
      _csrf: WebSession.csrfToken((await web.get(userPage)).text),
      termStart: '2026-01-01',
      termEnd: '2025-12-31',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Slutdatoen skal ligge efter startdatoen').and.include('value="2025-12-31"');

    const saved = await web.postForm(`${userPage}/memberships/${people.council.id}/term`, {
      _csrf: WebSession.csrfToken(refused.text),
      termStart: '2022-01-01',
      termEnd: '2025-12-31',
    });
    expect(saved.status).to.equal(303);
    expect((await web.follow(saved)).text).to.include('Perioden er gemt');
    const councilPage = (await web.get(`/admin/councils/${people.council.id}`)).text;
    const former = councilPage.slice(councilPage.indexOf('<h3>Sad før</h3>'));
    expect(former).to.include('Birgitte Sørensen').and.include('1. januar 2022 – 31. december 2025');
    expect(councilPage).to.include(`href="/councils/${people.council.slug}/handover"`);
    // The session they have open loses the council at once.
    expect((await member.get(`/consultations/${consultation.id}`)).status).to.equal(404);
  });
});
