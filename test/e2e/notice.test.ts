import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('the notice figures page and its CSV', () => {
  const app = useTestApp();

  it('shows staff the charts with their numbers in tables and the CSV; another council gets 404', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const stranger = await makeCouncilWithPeople(db);
    const authority = `Teknik- og Miljøudvalget <i>${unique()}</i>`;
    const year = new Date().getFullYear();
    await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      authority,
      receivedAt: `${year}-02-02`,
      deadline: `${year}-02-16T12:00`,
    });
    const staff = await WebSession.loggedIn(app.baseUrl, people.staff);
    const page = await staff.get(`/councils/${people.council.slug}/notice?year=${year}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`<h1>Varsel ved høringer i ${people.council.name}</h1>`);
    expect(page.text).to.match(/<svg viewBox="0 0 320 \d+" role="img" aria-labelledby="varsel-titel varsel-beskrivelse"/);
    // The authority's text, escaped in the chart and the table alike.
    expect(page.text).not.to.include('<i>');
    expect(page.text.match(/Teknik- og Miljøudvalget &lt;i&gt;/g)?.length).to.be.at.least(2);
    expect(page.text).to.include('100 %');
    // The year links say their own year (a view helper named "year" once shadowed it).
    expect(page.text).to.match(new RegExp(`year(?:=|&#x3D;)${year - 1}">${year - 1}</a>`));

    const csv = await fetch(`${app.baseUrl}/councils/${people.council.slug}/notice.csv?year=${year}`, { headers: { cookie: staff.cookieHeader() } });
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).to.equal(`attachment; filename="varsel-${people.council.slug}-${year}.csv"`);
    const text = await csv.text();
    expect(text).to.include(`${authority};`).and.include(';10;14;ja;');

    const outsider = await WebSession.loggedIn(app.baseUrl, stranger.secretary);
    for (const path of ['notice', 'notice.csv']) expect((await outsider.get(`/councils/${people.council.slug}/${path}`)).status).to.equal(404);
  });
});
