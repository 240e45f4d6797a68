import { expect } from 'chai';
import { sql } from 'kysely';
import { ChangeFeed } from '../../src/db/change-feed.ts';
import { useTestApp } from '../support/app.ts';
import { testDatabase, testOwnerDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

/** The titles of the queue table's rows, in order. */
function rowTitles(html: string): string[] {
  const table = /<table class="queue">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<td><a href="\/consultations\/[^"]+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]!);
}

describe('per-process caches, kept true by the database’s change notifications', function () {
  this.timeout(60_000);
  const app = useTestApp();

  it('the change feed raises the token of exactly the council whose consultation changed, and is off when closed', async () => {
    const { db, pool } = testDatabase();
    const a = await makeCouncilWithPeople(db);
    const b = await makeCouncilWithPeople(db);
    const deps = { db, clock: () => new Date() };
    const feed = new ChangeFeed(pool.options);
    expect(feed.token([`council:${a.council.id}`])).to.equal(null);
    await feed.start();
    try {
      const tokenA = feed.token([`council:${a.council.id}`]);
      const tokenB = feed.token([`council:${b.council.id}`]);
      expect(tokenA).to.be.a('string');
      await makeConsultation(deps, a.secretary.actor, { council: a.council.slug, deadline: deadlineInDays(10) });
      await waitUntil(() => feed.token([`council:${a.council.id}`]) !== tokenA, 5_000, 'the notification of council a');
      expect(feed.token([`council:${b.council.id}`])).to.equal(tokenB);

      // A lost connection may have lost notifications: nothing is cached until it listens again,
      // and then every earlier token is stale.
      const before = feed.token([`council:${b.council.id}`]);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'raadssvar-changes' and datname = current_database()`.execute(db);
      await waitUntil(() => feed.token([]) === null, 5_000, 'the feed to notice the lost connection');
      await waitUntil(() => feed.token([]) !== null, 10_000, 'the feed to listen again');
      expect(feed.token([`council:${b.council.id}`])).not.to.equal(before);
    } finally {
      await feed.close();
    }
    expect(feed.token([])).to.equal(null);
  });

  it('serves the queue page again until its data changes, and renders it anew when it does', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const tag = unique();
    const consultation = await makeConsultation({ db, clock: () => new Date() }, people.secretary.actor, {
      council: people.council.slug,
      title: `Første titel ${tag}`,
      deadline: deadlineInDays(10),
    });
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    expect(rowTitles((await web.get('/')).text)).to.deep.equal([`Første titel ${tag}`]);

    // A change the database does not announce (its trigger off inside this one transaction) is
    // not seen: the page comes from the cache.
    // Only the owner may switch a trigger off; the app's role cannot.
    await testOwnerDatabase().db.transaction().execute(async (tx) => {
      await sql`alter table consultations disable trigger consultations_changed`.execute(tx);
      await tx.updateTable('consultations').set({ title: `Stille ændring ${tag}` }).where('id', '=', consultation.id).execute();
      await sql`alter table consultations enable trigger consultations_changed`.execute(tx);
    });
    expect(rowTitles((await web.get('/')).text)).to.deep.equal([`Første titel ${tag}`]);
    // The time-bound filters are never cached.
    expect(rowTitles((await web.get('/?due=week')).text)).to.deep.equal([]);
    expect(rowTitles((await web.get('/?due=overdue')).text)).to.deep.equal([]);

    // An ordinary change is announced, and the next page shows it.
    await db.updateTable('consultations').set({ title: `Anden titel ${tag}` }).where('id', '=', consultation.id).execute();
    await waitUntil(async () => rowTitles((await web.get('/')).text)[0] === `Anden titel ${tag}`, 5_000, 'the new title');
  });

  it('a session removed by another process (logout, expiry) is not let in again from the cache', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    expect((await web.get('/')).status).to.equal(200);
    expect((await web.get('/')).status).to.equal(200);
    await sql`delete from session where (sess -> 'passport' ->> 'user')::int = ${people.secretary.actor.userId}`.execute(db);
    await waitUntil(async () => (await web.get('/')).status === 303, 5_000, 'the logged-out session to be sent to the login page');
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
    await db
      .insertInto('memberships')
      .values({ user_id: a.secretary.actor.userId, council_id: b.council.id, role: 'secretary' })
      .execute();
    const inB = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug, title: `I råd b ${tag}`, deadline: deadlineInDays(10) });
    const web = new WebSession(app.baseUrl);
    await web.logIn(a.secretary.email, a.secretary.password);
    expect(rowTitles((await web.get('/')).text)).to.include(inB.title);
    expect((await web.get(`/consultations/${inB.id}`)).status).to.equal(200);

    await db.deleteFrom('memberships').where('user_id', '=', a.secretary.actor.userId).where('council_id', '=', b.council.id).execute();
    await waitUntil(async () => !rowTitles((await web.get('/')).text).includes(inB.title), 5_000, 'the council to leave the queue');
    expect((await web.get(`/consultations/${inB.id}`)).status).to.equal(404);
  });
});
