import { expect } from 'chai';
import { makeConsultation } from '../support/factories.ts';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('the search page /search and GET /api/v1/search', () => {
  const app = useTestApp();

  it('finds a consultation by a word of its document, with the word marked and the text escaped; never another council’s', async () => {
    const { db } = testDatabase();
    const mine = await makeCouncilWithPeople(db);
    const other = await makeCouncilWithPeople(db);
    const word = `tolkning${unique()}`;
    const found = await makeConsultation(app.deps, mine.secretary.actor, { council: mine.council.slug, title: 'Retningslinjer for tolkebistand' });
    const hidden = await makeConsultation(app.deps, other.secretary.actor, { council: other.council.slug, title: `Hemmelig ${word}` });
    await db
      .insertInto('consultation_documents')
      .values({
        consultation_id: found.id,
        filename: 'bilag.pdf',
        media_type: 'application/pdf',
        size: 4,
        sha256: '0'.repeat(64),
        bytes: Buffer.from('%PDF'),
        text_status: 'extracted',
        extracted_text: `Kommunen vil ændre reglerne for ${word} <b>nu</b>.`,
      })
      .execute();

    const web = new WebSession(app.baseUrl);
    await web.logIn(mine.secretary.email, mine.secretary.password);
    const page = await web.get(`/search?q=${word}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`href="/consultations/${found.id}"`).and.include(`<mark>${word}</mark>`).and.not.include('<b>nu</b>');
    expect(page.text).to.include('1 fund').and.not.include(hidden.id).and.not.include('Hemmelig');
    // The hit's own year and state in words (view helpers named year and stateLabel once shadowed them).
    expect(page.text).to.include(` · ${new Date().getFullYear()} · Fordelt</p>`).and.not.include('[object Object]');
    const refused = await web.get(`/search?q=${word}&year=tyve`);
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Ugyldigt år').and.include(`value="${word}"`);

    const token = await apiTokenFor(db, mine.secretary.email);
    const api = await fetch(`${app.baseUrl}/api/v1/search?q=${word}&kind=document`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).to.equal(200);
    const body = (await api.json()) as { items: { kind: string; consultation: { id: string } }[]; total: number };
    expect(body.total).to.equal(1);
    expect(body.items.map((i) => [i.kind, i.consultation.id])).to.deep.equal([['document', found.id]]);
    const bad = await fetch(`${app.baseUrl}/api/v1/search?q=${word}&kind=alt`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).to.equal(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');

    // The queue's search box finds it by the document's word too.
    expect((await web.get(`/?q=${word}`)).text).to.include(`href="/consultations/${found.id}"`);
  });
});
