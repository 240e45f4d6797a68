import { expect } from 'chai';
import { sql } from 'kysely';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

/** The titles of the queue table's rows, in order. */
function rowTitles(html: string): string[] {
  const table = /<table class="queue">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<td[^>]*><a href="\/consultations\/[^"]+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]!);
}

describe('changes made elsewhere (another process, the CLI, SQL) take effect on the next request', function () {
  this.timeout(60_000);
  const app = useTestApp();

  it('a session removed by another process (logout, expiry) lets nobody in on the next request', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    expect((await web.get('/')).status).to.equal(200);
    expect((await web.get('/')).status).to.equal(200);
    await sql`delete from session where (sess -> 'passport' ->> 'user')::int = ${people.secretary.actor.userId}`.execute(db);
    const again = await web.get('/');
    expect(again.status).to.equal(303);
    expect(again.headers.get('location')).to.match(/^\/login/);
  });

  it('a membership removed elsewhere takes the council out of the queue and its consultations out of reach', async () => {
    const { db } = testDatabase();
    const a = await makeCouncilWithPeople(db);
    const b = await makeCouncilWithPeople(db);
    const tag = unique();
    const deps = { db, clock: () => new Date() };
    await db.insertInto('memberships').values({ user_id: a.secretary.actor.userId, council_id: b.council.id, role: 'secretary' }).execute();
    const inB = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug, title: `I råd b ${tag}`, deadline: deadlineInDays(10) });
    const web = new WebSession(app.baseUrl);
    await web.logIn(a.secretary.email, a.secretary.password);
    expect(rowTitles((await web.get('/')).text)).to.include(inB.title);
    expect((await web.get(`/consultations/${inB.id}`)).status).to.equal(200);

    await db.deleteFrom('memberships').where('user_id', '=', a.secretary.actor.userId).where('council_id', '=', b.council.id).execute();
    expect(rowTitles((await web.get('/')).text)).not.to.include(inB.title);
    expect((await web.get(`/consultations/${inB.id}`)).status).to.equal(404);
  });
});
