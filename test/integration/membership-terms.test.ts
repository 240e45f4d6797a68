import { expect } from 'chai';
import { loadActor } from '../../src/domain/access/actor.ts';
import { electionPeriodCovering, setTermAsAdmin } from '../../src/domain/councils/terms.ts';
import { getConsultation } from '../../src/domain/consultations/service.ts';
import { getUserForAdmin } from '../../src/domain/users/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeConsultation, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('membership terms', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const attempt = (run: () => Promise<unknown>) =>
    run().then(
      () => undefined,
      (error: unknown) => error,
    );

  it('computes the municipal election period covering a day (1 January after the election to 31 December four years on)', () => {
    expect(electionPeriodCovering(new Date('2026-12-03T12:00:00Z'))).to.deep.equal({ start: '2026-01-01', end: '2029-12-31' });
    expect(electionPeriodCovering(new Date('2025-12-31T12:00:00Z'))).to.deep.equal({ start: '2022-01-01', end: '2025-12-31' });
    expect(electionPeriodCovering(new Date('2022-01-01T12:00:00Z'))).to.deep.equal({ start: '2022-01-01', end: '2025-12-31' });
    expect(electionPeriodCovering(new Date('2030-01-01T12:00:00Z'))).to.deep.equal({ start: '2030-01-01', end: '2033-12-31' });
    // 23:30 UTC on 31 December is already New Year's Day in Danish time.
    expect(electionPeriodCovering(new Date('2029-12-31T23:30:00Z'))).to.deep.equal({ start: '2030-01-01', end: '2033-12-31' });
  });

  it('gives a new seat the election period covering today, the same in the database as in the code', async () => {
    const { council, member } = await makeCouncilWithPeople(app.deps.db);
    const row = await app.deps.db
      .selectFrom('memberships')
      .select(['term_start', 'term_end'])
      .where('user_id', '=', member.actor.userId)
      .where('council_id', '=', council.id)
      .executeTakeFirstOrThrow();
    expect({ start: row.term_start, end: row.term_end }).to.deep.equal(electionPeriodCovering(new Date()));
  });

  it('ends access after the term ends, in the actor and the session read alike, while authorship stays', async () => {
    const db = app.deps.db;
    const { council, secretary, member } = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true });
    const consultation = await makeConsultation(app.deps, secretary.actor, { council: council.slug, deadline: '2027-01-20T12:00' });
    const web = await WebSession.loggedIn(app.baseUrl, secretary);
    expect((await web.get(`/consultations/${consultation.id}`)).status).to.equal(200);

    await setTermAsAdmin(db, admin.actor, secretary.actor.userId, council.id, { termStart: '2022-01-01', termEnd: '2025-12-31' });

    const actor = await loadActor(db, secretary.actor.userId);
    expect(actor?.councils.map((c) => c.councilId)).to.not.include(council.id);
    expect(await attempt(() => getConsultation(app.deps, actor!, consultation.id))).to.have.property('code', 'NOT_FOUND');
    // A page request reads the councils with its session: the same fragment, so the same rule.
    expect((await web.get(`/consultations/${consultation.id}`)).status).to.equal(404);

    // What they registered is still theirs, and the council still sees it.
    const row = await db.selectFrom('consultations').select('created_by').where('id', '=', consultation.id).executeTakeFirstOrThrow();
    expect(row.created_by).to.equal(secretary.actor.userId);
    expect((await getConsultation(app.deps, member.actor, consultation.id)).id).to.equal(consultation.id);
    // The seat stays on record with its term, for the administration's "who sat before".
    const details = await getUserForAdmin(db, admin.actor, secretary.actor.userId);
    expect(details.memberships.find((m) => m.councilId === council.id)).to.include({ termStart: '2022-01-01', termEnd: '2025-12-31' });
  });

  it('gives no access before the first day of a term that has not begun', async () => {
    const db = app.deps.db;
    const { council, member } = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true });
    await setTermAsAdmin(db, admin.actor, member.actor.userId, council.id, { termStart: '2030-01-01', termEnd: '2033-12-31' });
    expect((await loadActor(db, member.actor.userId))?.councils.map((c) => c.councilId)).to.not.include(council.id);
  });

  it('refuses a reversed term, an impossible date, a missing seat and a non-admin', async () => {
    const db = app.deps.db;
    const { council, member, secretary } = await makeCouncilWithPeople(db);
    const admin = await makeUser(db, { admin: true });
    const outsider = await makeUser(db);
    const set = (actor: typeof admin.actor, userId: number, termStart: string, termEnd: string) =>
      attempt(() => setTermAsAdmin(db, actor, userId, council.id, { termStart, termEnd }));
    expect(await set(admin.actor, member.actor.userId, '2026-01-01', '2025-12-31')).to.have.nested.property('details[0].path', 'termEnd');
    expect(await set(admin.actor, member.actor.userId, '2026-02-30', '2029-12-31')).to.have.property('code', 'VALIDATION_FAILED');
    expect(await set(admin.actor, outsider.actor.userId, '2026-01-01', '2029-12-31')).to.have.property('code', 'NOT_FOUND');
    expect(await set(secretary.actor, member.actor.userId, '2026-01-01', '2026-01-02')).to.be.instanceOf(Error);
    expect((await loadActor(db, member.actor.userId))?.councils.map((c) => c.councilId)).to.include(council.id);
  });
});
