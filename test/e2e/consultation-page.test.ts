import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

// Forms on the page, posted the way a browser without JavaScript would.
async function post(web: WebSession, path: string, page: string, fields: Record<string, string>) {
  const version = /name="version" value="(\d+)"/.exec(page)?.[1] ?? '0';
  return web.postForm(path, { _csrf: WebSession.csrfToken(page), version, ...fields });
}

describe('the consultation page', () => {
  const app = useTestApp();

  it('shows the drafting secretary "Tidligere høringssvar" with date, authority, the letter\'s link and the text; the chair and staff not', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const authority = `Social- og Sundhedsudvalget ${unique()}`;
    const old = await makeConsultationInState(app.deps, people, 'submitted', { title: 'Integrationsstrategi 2022 <i>', authority });
    const now = await makeConsultationInState(app.deps, people, 'drafting', { title: 'Integrationsstrategi 2026', authority });
    const path = `/consultations/${now.id}`;
    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    const page = (await secretary.get(path)).text;
    const section = /<section class="earlier-responses"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).to.include('Tidligere høringssvar');
    expect(section).to.include('Integrationsstrategi 2022 &lt;i&gt;').and.not.include('<i>');
    expect(section).to.include(authority);
    expect(section).to.include(`href="/consultations/${old.id}/response.pdf"`);
    expect(section).to.match(/indsendt <time datetime="[^"]+">\d+\. \S+ \d{4}<\/time>/);
    expect(section).to.include('Integrationsrådet bakker op om strategien, men savner sprogcentret.');
    expect(section).to.include('>Indsæt som citat</button>');
    expect(page).to.include('<script src="/static/js/earlier-quotes.js" defer></script>');
    // The letter it links to is there for the secretary.
    expect((await secretary.get(`/consultations/${old.id}/response.pdf`)).status).to.equal(200);
    for (const role of ['chair', 'staff'] as const) {
      const web = new WebSession(app.baseUrl);
      await web.logIn(people[role].email, people[role].password);
      expect((await web.get(path)).text, role).not.to.include('Tidligere høringssvar');
    }
  });

  it('carries a consultation from drafting through send-back to approval, offering only allowed actions', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const consultation = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug });
    const path = `/consultations/${consultation.id}`;
    const secretary = new WebSession(app.baseUrl);
    await secretary.logIn(people.secretary.email, people.secretary.password);
    let page = (await secretary.get(path)).text;
    expect(page).to.include('Påbegynd udkast').and.not.include('value="APPROVE"');
    expect((await post(secretary, `${path}/events`, page, { type: 'START_DRAFTING' })).status).to.equal(303);
    page = (await secretary.get(path)).text;
    expect(
      (await post(secretary, `${path}/draft`, page, { body: 'Rådet støtter **strategien** – særligt afsnittet om sprog og fællesskab.' })).status,
    ).to.equal(303);
    page = (await secretary.get(path)).text;
    expect(page).to.include('<strong>strategien</strong>');
    expect((await post(secretary, `${path}/events`, page, { type: 'SUBMIT_FOR_APPROVAL' })).status).to.equal(303);

    const chair = new WebSession(app.baseUrl);
    await chair.logIn(people.chair.email, people.chair.password);
    page = (await chair.get(path)).text;
    expect(page).to.include('value="APPROVE"').and.include('value="REQUEST_CHANGES"').and.not.include('value="SUBMIT_FOR_APPROVAL"');
    const empty = await post(chair, `${path}/events`, page, { type: 'REQUEST_CHANGES', comment: '  ' });
    expect(empty.status).to.equal(303);
    expect((await chair.follow(empty)).text).to.include('id="comment-fejl">Skriv en kommentar til sekretæren');
    expect((await post(chair, `${path}/events`, page, { type: 'REQUEST_CHANGES', comment: 'Nævn også tolkebistand, tak.' })).status).to.equal(303);

    page = (await secretary.get(path)).text;
    expect(page).to.include('Formandens kommentarer').and.include('Nævn også tolkebistand, tak.');
    await post(secretary, `${path}/draft`, page, { body: 'Rådet støtter strategien og ønsker gratis tolkebistand.' });
    page = (await secretary.get(path)).text;
    await post(secretary, `${path}/events`, page, { type: 'SUBMIT_FOR_APPROVAL' });

    page = (await chair.get(path)).text;
    const noDate = await post(chair, `${path}/events`, page, { type: 'APPROVE', basis: 'meeting' });
    expect(noDate.status).to.equal(303);
    const noDateShown = (await chair.follow(noDate)).text;
    expect(noDateShown)
      .to.include('id="meetingDate-fejl">Angiv mødedatoen')
      .and.match(/id="basis-meeting" name="basis" value="meeting" checked/);
    expect((await post(chair, `${path}/events`, page, { type: 'APPROVE', basis: 'meeting', meetingDate: '2026-12-01' })).status).to.equal(303);
    page = (await chair.get(path)).text;
    expect(page).to.include('Godkendt').and.include('Registrér indsendelse');
  });

  it('keeps what the user typed on a version conflict and shows the newer text beside it', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const consultation = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug });
    const path = `/consultations/${consultation.id}`;
    const first = new WebSession(app.baseUrl);
    await first.logIn(people.secretary.email, people.secretary.password);
    await post(first, `${path}/events`, (await first.get(path)).text, { type: 'START_DRAFTING' });
    const second = new WebSession(app.baseUrl);
    await second.logIn(people.secretary.email, people.secretary.password);
    const pageA = (await first.get(path)).text;
    const pageB = (await second.get(path)).text;
    await post(first, `${path}/draft`, pageA, { body: 'Første sekretærs tekst om ældreplejen.' });
    const refused = await post(second, `${path}/draft`, pageB, { body: 'Anden sekretærs tekst – må ikke gå tabt!' });
    expect(refused.status).to.equal(303);
    const conflict = await second.follow(refused);
    expect(conflict).to.include({ path, hash: '#formular-draft' });
    expect(conflict.text).to.include('Anden sekretærs tekst – må ikke gå tabt!').and.include('Første sekretærs tekst om ældreplejen.');
    expect(conflict.text).to.include('En anden har gemt en nyere version');
  });

  it('shows members no buttons and refuses their posts with 403; other councils get 404', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const outsiders = await makeCouncilWithPeople(db);
    const consultation = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug });
    const path = `/consultations/${consultation.id}`;
    const member = new WebSession(app.baseUrl);
    await member.logIn(people.member.email, people.member.password);
    const page = (await member.get(path)).text;
    expect(page).to.include(consultation.title).and.not.include('Handlinger');
    expect((await post(member, `${path}/events`, page, { type: 'START_DRAFTING' })).status).to.equal(403);
    const outsider = new WebSession(app.baseUrl);
    await outsider.logIn(outsiders.secretary.email, outsiders.secretary.password);
    expect((await outsider.get(path)).status).to.equal(404);
  });
});
