import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { saveDraft, sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Db } from '../../src/db/database.ts';
import { workflowDeps } from '../support/fakes.ts';

const N = 20;

describe('concurrent changes to one consultation', () => {
  let db: Db;
  let deps: EventDeps;
  before(() => {
    db = testDatabase().db;
    deps = workflowDeps(db);
  });

  async function counts(id: string) {
    const [events, drafts, row] = await Promise.all([
      db
        .selectFrom('consultation_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('consultation_id', '=', id)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('response_versions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('consultation_id', '=', id)
        .executeTakeFirstOrThrow(),
      db.selectFrom('consultations').select(['version', 'state']).where('id', '=', id).executeTakeFirstOrThrow(),
    ]);
    return { events: Number(events.n), drafts: Number(drafts.n), version: row.version, state: row.state };
  }

  /** Splits settled results into successes and the codes of the failures (which must all be AppErrors). */
  function outcome(results: PromiseSettledResult<unknown>[]) {
    const codes = results.flatMap((r) => {
      if (r.status === 'fulfilled') return [];
      expect(r.reason, String(r.reason)).to.be.instanceOf(AppError);
      return [(r.reason as AppError).code];
    });
    return { successes: results.filter((r) => r.status === 'fulfilled').length, codes };
  }

  it(`${N} sendEvent calls with the same event and version: one wins, ${N - 1} get STALE_VERSION, one event row`, async () => {
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(deps, people, 'assigned');
    const before = await counts(c.id);
    const results = await Promise.allSettled(
      Array.from({ length: N }, () => sendEvent(deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version: c.version })),
    );
    const { successes, codes } = outcome(results);
    expect(successes).to.equal(1);
    expect(codes).to.deep.equal(Array(N - 1).fill('STALE_VERSION'));
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as AppError).meta.currentVersion).to.equal(c.version + 1);
    }
    expect(await counts(c.id)).to.deep.equal({ ...before, events: before.events + 1, version: c.version + 1, state: 'drafting' });
    const log = await db.selectFrom('consultation_events').select('type').where('consultation_id', '=', c.id).execute();
    expect(log.filter((e) => e.type === 'START_DRAFTING')).to.have.length(1);
  });

  it(`${N} different events at the same version: exactly one of them happens`, async () => {
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(deps, people, 'drafted');
    const before = await counts(c.id);
    const sec = people.secretary.actor;
    const chair = people.chair.actor;
    const calls = Array.from({ length: N }, (_, i) => {
      switch (i % 4) {
        case 0:
          return sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
        case 1:
          return sendEvent(deps, sec, c.id, { type: 'WITHDRAW', version: c.version, reason: `Trukket ${i}` });
        case 2:
          return sendEvent(deps, chair, c.id, { type: 'DECLINE', version: c.version, reason: `Afvist ${i}` });
        default:
          return saveDraft(deps, sec, c.id, { body: `Udkast ${i}`, version: c.version });
      }
    });
    const { successes, codes } = outcome(await Promise.allSettled(calls));
    expect(successes).to.equal(1);
    expect(codes).to.deep.equal(Array(N - 1).fill('STALE_VERSION'));
    const after = await counts(c.id);
    expect(after.version).to.equal(c.version + 1);
    expect(after.events).to.equal(before.events + 1);
    expect(after.drafts - before.drafts).to.equal(after.state === 'drafting' ? 1 : 0);
  });

  it(`${N} concurrent saveDraft with the same version: one new response version`, async () => {
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(deps, people, 'drafting');
    const before = await counts(c.id);
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) => saveDraft(deps, people.secretary.actor, c.id, { body: `Udkast nummer ${i}`, version: c.version })),
    );
    const { successes, codes } = outcome(results);
    expect(successes).to.equal(1);
    expect(codes).to.deep.equal(Array(N - 1).fill('STALE_VERSION'));
    expect(await counts(c.id)).to.deep.equal({ ...before, drafts: 1, events: before.events + 1, version: c.version + 1 });
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    const versions = await db.selectFrom('response_versions').select(['number', 'body']).where('consultation_id', '=', c.id).execute();
    expect(versions).to.deep.equal([{ number: 1, body: `Udkast nummer ${winner}` }]);
  });

  describe('over HTTP', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it(`${N} concurrent POST …/events: one 200 and ${N - 1} 409 STALE_VERSION`, async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'assigned');
      const token = await apiTokenFor(db, people.secretary.email);
      const before = await counts(c.id);
      const responses = await Promise.all(
        Array.from({ length: N }, async () => {
          const response = await fetch(`${app.baseUrl}/api/v1/consultations/${c.id}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'START_DRAFTING', version: c.version }),
          });
          return { status: response.status, body: (await response.json()) as Record<string, any> };
        }),
      );
      const ok = responses.filter((r) => r.status === 200);
      const conflicts = responses.filter((r) => r.status === 409);
      expect(ok).to.have.length(1);
      expect(conflicts).to.have.length(N - 1);
      expect(ok[0]!.body).to.include({ state: 'drafting', version: c.version + 1 });
      for (const conflict of conflicts) {
        expect(conflict.body.error).to.include({ code: 'STALE_VERSION', currentVersion: c.version + 1 });
      }
      expect(await counts(c.id)).to.deep.equal({ ...before, events: before.events + 1, version: c.version + 1, state: 'drafting' });
    });
  });
});
