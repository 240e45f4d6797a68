import { expect } from 'chai';
import { sql } from 'kysely';
import { testDatabase, testOwnerDatabase } from '../support/db.ts';
import { rejection } from '../support/assert.ts';
import {
  deadlineInDays,
  makeConsultation,
  makeConsultationInState,
  makeCouncil,
  makeCouncilWithPeople,
  makeUser,
  unique,
} from '../support/factories.ts';
import {
  getConsultation,
  listConsultations,
  saveDraft,
  sendEvent,
  type EventDeps,
  type ConsultationDetails,
} from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { danishDate } from '../../src/domain/time.ts';
import type { Actor } from '../../src/domain/access/actor.ts';
import type { Db } from '../../src/db/database.ts';
import {
  EVENT_TYPES,
  MACHINE_VERSION,
  persistSnapshot,
  restoreSnapshot,
  type PersistedConsultation,
  type UserEventType,
} from '../../workflows/consultation.machine.ts';
import { workflowDeps } from '../support/fakes.ts';

// The database exists once the global setup has run, so it is taken in a hook.
let db: Db;
let deps: EventDeps;
before(() => {
  db = testDatabase().db;
  deps = workflowDeps(db);
});

async function row(id: string) {
  return db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function eventRows(id: string) {
  return db
    .selectFrom('consultation_events')
    .select(['type', 'from_state', 'to_state', 'actor_id', 'payload'])
    .where('consultation_id', '=', id)
    .orderBy('id')
    .execute();
}

async function responseVersions(id: string) {
  return db.selectFrom('response_versions').selectAll().where('consultation_id', '=', id).orderBy('number').execute();
}

/** What must not change when a call is refused. */
async function footprint(id: string) {
  const r = await row(id);
  return {
    version: r.version,
    state: r.state,
    snapshot: r.snapshot,
    deadline: r.deadline.toISOString(),
    events: (await eventRows(id)).length,
    drafts: (await responseVersions(id)).length,
  };
}

/** Expects the promise to fail with an AppError of `code`, and returns it. */
async function appError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await rejection(promise);
  expect(error, String(error)).to.be.instanceOf(AppError);
  expect((error as unknown as AppError).code, error.message).to.equal(code);
  return error as unknown as AppError;
}

/** A valid payload for each event a person may send, at `version`. */
function validEvent(type: UserEventType, version: number, councilSlug: string): Record<string, unknown> {
  switch (type) {
    case 'ASSIGN':
      return { type, version, council: councilSlug };
    case 'REQUEST_CHANGES':
      return { type, version, comment: 'Afsnit 3 skal skærpes.' };
    case 'APPROVE':
      return { type, version, basis: 'chair_decision' };
    case 'SUBMIT':
      return { type, version, channel: 'email', recipient: 'bu@naestved.dk' };
    case 'DECLINE':
    case 'WITHDRAW':
      return { type, version, reason: 'Rådet har ingen bemærkninger.' };
    case 'EXTEND_DEADLINE':
      return { type, version, deadline: deadlineInDays(60), note: 'Forlænget efter aftale' };
    default:
      return { type, version };
  }
}

describe('consultation service', () => {
  describe('persistence', () => {
    it('registers with a council: assigned, version 2, a snapshot that restores to the same value and context', async () => {
      const people = await makeCouncilWithPeople(db);
      const deadline = deadlineInDays(40);
      const created = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline });
      const stored = await row(created.id);
      expect(stored.state).to.equal('assigned');
      expect(stored.version).to.equal(2);
      expect(stored.machine_version).to.equal(MACHINE_VERSION);
      expect(stored.council_id).to.equal(people.council.id);
      expect(stored.assignee_id).to.equal(people.secretary.actor.userId);
      expect(stored.deadline.toISOString()).to.equal(deadline);

      const persisted = stored.snapshot as PersistedConsultation;
      expect(persisted.value).to.equal('assigned');
      const restored = restoreSnapshot(persisted, stored.machine_version);
      expect(restored.value).to.equal('assigned');
      expect(restored.context).to.deep.equal(persisted.context);
      expect(persistSnapshot(restored)).to.deep.equal(persisted);
      expect(restored.context).to.include({ council: people.council.slug, deadline, draftNumber: 0, draftEmpty: true, extensions: 0 });

      expect(created).to.include({ state: 'assigned', version: 2 });
      expect(created.council).to.deep.equal({ id: people.council.id, slug: people.council.slug, name: people.council.name });
    });

    it('gives references <PREFIX>-<year>-NNNN, increasing per council and starting at 0001 in each', async () => {
      const a = await makeCouncilWithPeople(db);
      const b = await makeCouncilWithPeople(db);
      const year = danishDate(deps.clock()).slice(0, 4);
      const first = await makeConsultation(deps, a.secretary.actor, { council: a.council.slug });
      const second = await makeConsultation(deps, a.secretary.actor, { council: a.council.slug });
      const other = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug });
      expect(first.reference).to.equal(`${a.council.referencePrefix}-${year}-0001`);
      expect(second.reference).to.equal(`${a.council.referencePrefix}-${year}-0002`);
      expect(other.reference).to.equal(`${b.council.referencePrefix}-${year}-0001`);
      expect((await row(second.id)).reference).to.equal(second.reference);

      // Unassigned: no reference until ASSIGN, which takes the council's next number.
      const unassigned = await makeConsultation(deps, a.secretary.actor);
      expect(unassigned).to.include({ state: 'received', version: 1, reference: null, council: null });
      const assigned = await sendEvent(deps, a.secretary.actor, unassigned.id, { type: 'ASSIGN', version: 1, council: a.council.slug });
      expect(assigned).to.include({ state: 'assigned', version: 2, reference: `${a.council.referencePrefix}-${year}-0003` });
    });

    it('keeps counting past 9999 in a year, with as many digits as the number needs', async () => {
      const { council, secretary } = await makeCouncilWithPeople(db);
      const year = Number(danishDate(deps.clock()).slice(0, 4));
      await db.insertInto('reference_counters').values({ council_id: council.id, year, last_number: 9998 }).execute();
      const last4 = await makeConsultation(deps, secretary.actor, { council: council.slug });
      const first5 = await makeConsultation(deps, secretary.actor, { council: council.slug });
      expect(last4.reference).to.equal(`${council.referencePrefix}-${year}-9999`);
      expect(first5.reference).to.equal(`${council.referencePrefix}-${year}-10000`);
    });

    it('answers each write with exactly what a fresh read gives (built from what the statements returned)', async () => {
      const { council, secretary, chair } = await makeCouncilWithPeople(db);
      const sec = secretary.actor;
      const unassigned = await makeConsultation(deps, sec, { deadline: deadlineInDays(30) });
      expect(unassigned).to.deep.equal(await getConsultation(deps, sec, unassigned.id));
      let c = await sendEvent(deps, sec, unassigned.id, { type: 'ASSIGN', version: unassigned.version, council: council.slug });
      expect(c).to.deep.equal(await getConsultation(deps, sec, c.id));
      const registered = await makeConsultation(deps, sec, { council: council.slug, deadline: deadlineInDays(30) });
      expect(registered.timeline.map((e) => [e.type, e.from, e.to])).to.deep.equal([
        ['REGISTERED', null, 'received'],
        ['ASSIGN', 'received', 'assigned'],
      ]);
      expect(registered).to.deep.equal(await getConsultation(deps, sec, registered.id));
      c = await sendEvent(deps, sec, registered.id, { type: 'START_DRAFTING', version: registered.version });
      expect(c).to.deep.equal(await getConsultation(deps, sec, c.id));
      c = await saveDraft(deps, sec, c.id, { body: 'Rådet bakker op om *strategien*.', version: c.version });
      expect(c.draft).to.include({ number: 1, body: 'Rådet bakker op om *strategien*.', savedBy: sec.name });
      expect(c).to.deep.equal(await getConsultation(deps, sec, c.id));
      // A lone UTF-16 surrogate cannot be stored as such: the answer shows the text as stored.
      c = await saveDraft(deps, sec, c.id, { body: 'Afsnit \ud800 2', version: c.version });
      expect(c.draft).to.include({ number: 2, body: 'Afsnit \ufffd 2' });
      expect(c).to.deep.equal(await getConsultation(deps, sec, c.id));
      c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
      c = await sendEvent(deps, chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' });
      expect(c).to.deep.equal(await getConsultation(deps, chair.actor, c.id));
    });
  });

  describe('the lifecycle', () => {
    it('runs from registration to submission by the right roles, logging each event in order', async () => {
      const { council, secretary, chair } = await makeCouncilWithPeople(db);
      const sec = secretary.actor;
      let c = await makeConsultation(deps, sec, { council: council.slug, deadline: deadlineInDays(20) });
      expect(c.allowedEvents).to.deep.equal(['START_DRAFTING', 'WITHDRAW', 'EXTEND_DEADLINE']);
      c = await sendEvent(deps, sec, c.id, { type: 'START_DRAFTING', version: c.version });
      expect(c).to.include({ state: 'drafting', version: 3 });
      c = await saveDraft(deps, sec, c.id, { body: 'Første udkast', version: c.version });
      c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
      expect(c.state).to.equal('awaiting_approval');
      c = await sendEvent(deps, chair.actor, c.id, { type: 'REQUEST_CHANGES', version: c.version, comment: '  Skriv mere om sprogundervisning.  ' });
      expect(c.state).to.equal('drafting');
      c = await saveDraft(deps, sec, c.id, { body: 'Andet udkast med sprogundervisning', version: c.version });
      c = await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
      c = await sendEvent(deps, chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'meeting', meetingDate: '2026-03-04' });
      expect(c.state).to.equal('approved');
      expect(c.approval).to.deep.equal({ basis: 'meeting', meetingDate: '2026-03-04' });
      c = await sendEvent(deps, sec, c.id, {
        type: 'SUBMIT',
        version: c.version,
        channel: 'email',
        recipient: 'bu@naestved.dk',
        submittedAt: '2026-03-05',
      });
      expect(c).to.include({ state: 'submitted', version: 10, deadlineStatus: 'closed' });
      expect(c.submission).to.deep.equal({ channel: 'email', recipient: 'bu@naestved.dk', submittedAt: '2026-03-05' });
      expect(c.allowedEvents).to.deep.equal([]);
      expect(c.draft).to.include({ number: 2, body: 'Andet udkast med sprogundervisning', savedBy: 'Mette Kjærgaard' });

      const log = (await eventRows(c.id)).map((e) => [e.type, e.from_state, e.to_state, e.actor_id]);
      expect(log).to.deep.equal([
        ['REGISTERED', null, 'received', sec.userId],
        ['ASSIGN', 'received', 'assigned', sec.userId],
        ['START_DRAFTING', 'assigned', 'drafting', sec.userId],
        ['SAVE_DRAFT', 'drafting', 'drafting', sec.userId],
        ['SUBMIT_FOR_APPROVAL', 'drafting', 'awaiting_approval', sec.userId],
        ['REQUEST_CHANGES', 'awaiting_approval', 'drafting', chair.actor.userId],
        ['SAVE_DRAFT', 'drafting', 'drafting', sec.userId],
        ['SUBMIT_FOR_APPROVAL', 'drafting', 'awaiting_approval', sec.userId],
        ['APPROVE', 'awaiting_approval', 'approved', chair.actor.userId],
        ['SUBMIT', 'approved', 'submitted', sec.userId],
      ]);
      expect(c.timeline.map((t) => t.type)).to.deep.equal(log.map((l) => l[0]));
      const stored = await row(c.id);
      expect(stored.version).to.equal(10);
      expect(restoreSnapshot(stored.snapshot as PersistedConsultation, stored.machine_version).status).to.equal('done');
    });

    it('lets the chair decline and an administrator withdraw, each ending the consultation', async () => {
      const people = await makeCouncilWithPeople(db);
      const admin = await makeUser(db, { admin: true });
      const declined = await makeConsultationInState(deps, people, 'drafting');
      const d = await sendEvent(deps, people.chair.actor, declined.id, {
        type: 'DECLINE',
        version: declined.version,
        reason: '  Uden for rådets område ',
      });
      expect(d).to.include({ state: 'declined', closingReason: 'Uden for rådets område' });
      expect(d.allowedEvents).to.deep.equal([]);

      const withdrawn = await makeConsultationInState(deps, people, 'awaiting_approval');
      const w = await sendEvent(deps, admin.actor, withdrawn.id, {
        type: 'WITHDRAW',
        version: withdrawn.version,
        reason: 'Myndigheden trak høringen tilbage',
      });
      expect(w).to.include({ state: 'withdrawn', closingReason: 'Myndigheden trak høringen tilbage' });
      const last = (await eventRows(w.id)).at(-1)!;
      expect([last.type, last.from_state, last.to_state, last.actor_id]).to.deep.equal([
        'WITHDRAW',
        'awaiting_approval',
        'withdrawn',
        admin.actor.userId,
      ]);
    });
  });

  describe('refusals write nothing', () => {
    it('STALE_VERSION for an older or a newer version than the stored one', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'assigned');
      const before = await footprint(c.id);
      for (const version of [1, 3, 99]) {
        const error = await appError(sendEvent(deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version }), 'STALE_VERSION');
        expect(error.meta.currentVersion).to.equal(2);
        expect(error.httpStatus).to.equal(409);
      }
      expect(await footprint(c.id)).to.deep.equal(before);
      // The right version still works afterwards.
      expect((await sendEvent(deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version: 2 })).state).to.equal('drafting');
    });

    it('TRANSITION_NOT_ALLOWED for an event the state does not take, including a guard that fails', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'drafting');
      const before = await footprint(c.id);
      const approve = await appError(
        sendEvent(deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'chair_decision' }),
        'TRANSITION_NOT_ALLOWED',
      );
      expect(approve.httpStatus).to.equal(422);
      await appError(sendEvent(deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version: c.version }), 'TRANSITION_NOT_ALLOWED');
      // An earlier deadline is not an extension.
      await appError(
        sendEvent(deps, people.secretary.actor, c.id, { type: 'EXTEND_DEADLINE', version: c.version, deadline: deadlineInDays(1) }),
        'TRANSITION_NOT_ALLOWED',
      );
      // Nothing to approve without a draft.
      await appError(sendEvent(deps, people.secretary.actor, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version }), 'TRANSITION_NOT_ALLOWED');
      expect(await footprint(c.id)).to.deep.equal(before);

      const done = await makeConsultationInState(deps, people, 'submitted');
      const doneBefore = await footprint(done.id);
      await appError(
        sendEvent(deps, people.secretary.actor, done.id, validEvent('WITHDRAW', done.version, people.council.slug)),
        'TRANSITION_NOT_ALLOWED',
      );
      await appError(
        sendEvent(deps, people.secretary.actor, done.id, validEvent('EXTEND_DEADLINE', done.version, people.council.slug)),
        'TRANSITION_NOT_ALLOWED',
      );
      expect(await footprint(done.id)).to.deep.equal(doneBefore);
    });

    it('FORBIDDEN for a member or staff sending any event, and for a chair starting the draft', async () => {
      const people = await makeCouncilWithPeople(db);
      for (const stop of ['assigned', 'drafted', 'awaiting_approval', 'approved'] as const) {
        const c = await makeConsultationInState(deps, people, stop);
        const before = await footprint(c.id);
        for (const who of [people.member, people.staff]) {
          for (const type of EVENT_TYPES) {
            await appError(sendEvent(deps, who.actor, c.id, validEvent(type, c.version, people.council.slug)), 'FORBIDDEN');
          }
          await appError(saveDraft(deps, who.actor, c.id, { body: 'Mit eget udkast', version: c.version }), 'FORBIDDEN');
        }
        expect(await footprint(c.id), stop).to.deep.equal(before);
        // Both may still read it.
        expect((await getConsultation(deps, people.member.actor, c.id)).allowedEvents).to.deep.equal([]);
        expect((await getConsultation(deps, people.staff.actor, c.id)).allowedEvents).to.deep.equal([]);
      }
      const c = await makeConsultationInState(deps, people, 'assigned');
      const before = await footprint(c.id);
      const error = await appError(sendEvent(deps, people.chair.actor, c.id, { type: 'START_DRAFTING', version: c.version }), 'FORBIDDEN');
      expect(error.httpStatus).to.equal(403);
      expect(await footprint(c.id)).to.deep.equal(before);
    });

    it('NOT_FOUND for another council’s user, an unknown id and an id that is no uuid', async () => {
      const people = await makeCouncilWithPeople(db);
      const others = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'drafting');
      const before = await footprint(c.id);
      for (const who of [others.secretary, others.chair, others.member]) {
        await appError(getConsultation(deps, who.actor, c.id), 'NOT_FOUND');
        await appError(sendEvent(deps, who.actor, c.id, validEvent('WITHDRAW', c.version, people.council.slug)), 'NOT_FOUND');
        await appError(saveDraft(deps, who.actor, c.id, { body: 'x', version: c.version }), 'NOT_FOUND');
      }
      expect(await footprint(c.id)).to.deep.equal(before);
      for (const id of ['ikke-en-uuid', '', "1' or '1'='1", '00000000-0000-4000-8000-000000000000', `${c.id}x`]) {
        await appError(getConsultation(deps, people.secretary.actor, id), 'NOT_FOUND');
        await appError(sendEvent(deps, people.secretary.actor, id, validEvent('WITHDRAW', 3, people.council.slug)), 'NOT_FOUND');
        await appError(saveDraft(deps, people.secretary.actor, id, { body: 'x', version: 3 }), 'NOT_FOUND');
      }
    });

    it('VALIDATION_FAILED, one detail per bad field, for a bad event payload', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'awaiting_approval');
      const before = await footprint(c.id);
      const unknownType = await appError(sendEvent(deps, people.chair.actor, c.id, { type: 'PUBLISH', version: c.version }), 'VALIDATION_FAILED');
      expect(unknownType.details.map((d) => d.path)).to.deep.equal(['type']);
      const badApprove = await appError(
        sendEvent(deps, people.chair.actor, c.id, { type: 'APPROVE', version: 'x', basis: 'whim' }),
        'VALIDATION_FAILED',
      );
      expect(badApprove.details.map((d) => d.path).sort()).to.deep.equal(['basis', 'version']);
      const meeting = await appError(
        sendEvent(deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'meeting' }),
        'VALIDATION_FAILED',
      );
      expect(meeting.details.map((d) => d.path)).to.deep.equal(['meetingDate']);
      // Before 1990 is a typing error ("1927" for "2027"), and would date an archived letter wrongly.
      const longAgo = await appError(
        sendEvent(deps, people.chair.actor, c.id, { type: 'APPROVE', version: c.version, basis: 'meeting', meetingDate: '1989-12-31' }),
        'VALIDATION_FAILED',
      );
      expect(longAgo.details).to.deep.equal([{ path: 'meetingDate', message: 'Datoen kan ikke ligge før 1990' }]);
      await appError(sendEvent(deps, people.chair.actor, c.id, { type: 'REQUEST_CHANGES', version: c.version, comment: '   ' }), 'VALIDATION_FAILED');
      expect(await footprint(c.id)).to.deep.equal(before);
    });
  });

  describe('drafts', () => {
    it('are saved only while drafting', async () => {
      const people = await makeCouncilWithPeople(db);
      for (const stop of ['assigned', 'awaiting_approval', 'approved', 'submitted'] as const) {
        const c = await makeConsultationInState(deps, people, stop);
        const before = await footprint(c.id);
        await appError(saveDraft(deps, people.secretary.actor, c.id, { body: 'For sent', version: c.version }), 'TRANSITION_NOT_ALLOWED');
        expect(await footprint(c.id), stop).to.deep.equal(before);
      }
      const received = await makeConsultationInState(deps, people, 'received');
      // Unassigned: no council, so nobody's secretary.
      await appError(saveDraft(deps, people.secretary.actor, received.id, { body: 'x', version: 1 }), 'FORBIDDEN');
      const drafting = await makeConsultationInState(deps, people, 'drafting');
      await appError(saveDraft(deps, people.chair.actor, drafting.id, { body: 'Formandens tekst', version: drafting.version }), 'FORBIDDEN');
      await appError(saveDraft(deps, people.secretary.actor, drafting.id, { body: 'x', version: drafting.version - 1 }), 'STALE_VERSION');
      await appError(saveDraft(deps, people.secretary.actor, drafting.id, { version: drafting.version }), 'VALIDATION_FAILED');
      expect(await responseVersions(drafting.id)).to.deep.equal([]);
    });

    it('keeps every save as a new numbered version with author and time, and the database refuses to change one', async () => {
      const people = await makeCouncilWithPeople(db);
      let c = await makeConsultationInState(deps, people, 'drafting');
      const bodies = ['Første linje', 'Første linje\n\nAnden linje med æøå', 'Tredje udgave'];
      const started = Date.now() - 1000;
      for (const body of bodies) {
        const version = c.version;
        c = await saveDraft(deps, people.secretary.actor, c.id, { body, version });
        expect(c.version).to.equal(version + 1);
        expect(c.state).to.equal('drafting');
      }
      expect(c.draft).to.include({ number: 3, body: 'Tredje udgave', savedBy: 'Mette Kjærgaard' });
      const versions = await responseVersions(c.id);
      expect(versions.map((v) => [v.number, v.body, v.author_id])).to.deep.equal(
        bodies.map((body, i) => [i + 1, body, people.secretary.actor.userId]),
      );
      for (const [i, v] of versions.entries()) {
        expect(v.created_at.getTime()).to.be.within(started, Date.now() + 1000);
        if (i > 0) expect(v.created_at.getTime()).to.be.at.least(versions[i - 1]!.created_at.getTime());
      }
      const saves = (await eventRows(c.id)).filter((e) => e.type === 'SAVE_DRAFT');
      expect(saves.map((e) => (e.payload as { draftNumber: number }).draftNumber)).to.deep.equal([1, 2, 3]);

      const first = versions[0]!;
      // The app's role may not try; the triggers stop even the owner.
      const owner = testOwnerDatabase().db;
      await rejection(sql`update response_versions set body = 'omskrevet' where id = ${first.id}`.execute(db), /permission denied/);
      await rejection(sql`update response_versions set body = 'omskrevet' where id = ${first.id}`.execute(owner), /append-only/);
      await rejection(sql`delete from response_versions where id = ${first.id}`.execute(owner), /append-only/);
      await rejection(owner.updateTable('response_versions').set({ number: 99 }).where('consultation_id', '=', c.id).execute(), /append-only/);
      expect(await responseVersions(c.id)).to.deep.equal(versions);
    });

    it('refuses SUBMIT_FOR_APPROVAL while the newest draft is empty or only whitespace', async () => {
      const people = await makeCouncilWithPeople(db);
      const sec = people.secretary.actor;
      let c = await makeConsultationInState(deps, people, 'drafting');
      await appError(sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version }), 'TRANSITION_NOT_ALLOWED');
      for (const body of ['', '   \n\t  ']) {
        c = await saveDraft(deps, sec, c.id, { body, version: c.version });
        expect(c.allowedEvents).not.to.include('SUBMIT_FOR_APPROVAL');
        const before = await footprint(c.id);
        await appError(sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version }), 'TRANSITION_NOT_ALLOWED');
        expect(await footprint(c.id)).to.deep.equal(before);
      }
      c = await saveDraft(deps, sec, c.id, { body: 'Nu med indhold', version: c.version });
      expect(c.allowedEvents).to.include('SUBMIT_FOR_APPROVAL');
      c = await saveDraft(deps, sec, c.id, { body: ' ', version: c.version });
      await appError(sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version }), 'TRANSITION_NOT_ALLOWED');
      c = await saveDraft(deps, sec, c.id, { body: 'Endelig', version: c.version });
      expect((await sendEvent(deps, sec, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version })).state).to.equal('awaiting_approval');
    });
  });

  describe('deadlines and comments', () => {
    it('EXTEND_DEADLINE moves the deadline, keeps the state and shows on the timeline with its note', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'drafting');
      const old = c.deadline.toISOString();
      const later = deadlineInDays(75);
      const extended = await sendEvent(deps, people.secretary.actor, c.id, {
        type: 'EXTEND_DEADLINE',
        version: c.version,
        deadline: later,
        note: 'Forlænget efter aftale med forvaltningen',
      });
      expect(extended).to.include({ state: 'drafting', version: c.version + 1 });
      expect(extended.deadline.toISOString()).to.equal(later);
      const stored = await row(c.id);
      expect(stored.deadline.toISOString()).to.equal(later);
      const context = (stored.snapshot as PersistedConsultation).context;
      expect(context).to.include({ deadline: later, extensions: 1 });
      const entry = extended.timeline.at(-1)!;
      expect(entry).to.include({
        type: 'EXTEND_DEADLINE',
        from: 'drafting',
        to: 'drafting',
        comment: 'Forlænget efter aftale med forvaltningen',
        actor: 'Mette Kjærgaard',
      });
      expect(entry.payload).to.include({ previousDeadline: old, deadline: later });
    });

    it('refuses a deadline far beyond any consultation, which would also be costly to show', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'drafting');
      const before = await footprint(c.id);
      const error = await appError(
        sendEvent(deps, people.secretary.actor, c.id, { type: 'EXTEND_DEADLINE', version: c.version, deadline: '2400-01-01' }),
        'VALIDATION_FAILED',
      );
      expect(error.details.map((d) => d.path)).to.deep.equal(['deadline']);
      expect(await footprint(c.id)).to.deep.equal(before);
      await appError(makeConsultation(deps, people.secretary.actor, { deadline: '9999-12-31' }), 'VALIDATION_FAILED');
      await appError(makeConsultation(deps, people.secretary.actor, { deadline: '-010000-01-01' }), 'VALIDATION_FAILED');
    });

    it('refuses a day that has come when it is to come or before 1990: received, submitted, approved at a meeting', async () => {
      const people = await makeCouncilWithPeople(db);
      const c = await makeConsultationInState(deps, people, 'approved');
      const before = await footprint(c.id);
      for (const submittedAt of ['1927-01-23', '1989-12-31', '9999-12-31']) {
        const error = await appError(
          sendEvent(deps, people.secretary.actor, c.id, { type: 'SUBMIT', version: c.version, channel: 'letter', submittedAt }),
          'VALIDATION_FAILED',
        );
        expect(error.details.map((d) => d.path)).to.deep.equal(['submittedAt']);
      }
      expect(await footprint(c.id)).to.deep.equal(before);
      const received = await appError(
        makeConsultation(deps, people.secretary.actor, { deadline: deadlineInDays(20), receivedAt: '1927-01-23' }),
        'VALIDATION_FAILED',
      );
      expect(received.details).to.deep.equal([{ path: 'receivedAt', message: 'Datoen kan ikke ligge før 1990' }]);
      const submitted = await sendEvent(deps, people.secretary.actor, c.id, {
        type: 'SUBMIT',
        version: c.version,
        channel: 'letter',
        submittedAt: '1990-01-01',
      });
      expect(submitted.submission).to.include({ submittedAt: '1990-01-01' });
    });

    it('REQUEST_CHANGES shows its comment as changesRequested and on the timeline, until resubmission', async () => {
      const people = await makeCouncilWithPeople(db);
      let c = await makeConsultationInState(deps, people, 'awaiting_approval');
      c = await sendEvent(deps, people.chair.actor, c.id, { type: 'REQUEST_CHANGES', version: c.version, comment: '  Nævn tolkebistand.  ' });
      expect(c.state).to.equal('drafting');
      expect(c.changesRequested).to.equal('Nævn tolkebistand.');
      expect(c.timeline.at(-1)).to.include({ type: 'REQUEST_CHANGES', from: 'awaiting_approval', to: 'drafting', actor: 'Ahmad Hussein' });
      expect(c.timeline.at(-1)!.comment!.trim()).to.equal('Nævn tolkebistand.');
      expect((await getConsultation(deps, people.secretary.actor, c.id)).changesRequested).to.equal('Nævn tolkebistand.');
      c = await saveDraft(deps, people.secretary.actor, c.id, { body: 'Med tolkebistand', version: c.version });
      expect(c.changesRequested).to.equal('Nævn tolkebistand.');
      c = await sendEvent(deps, people.secretary.actor, c.id, { type: 'SUBMIT_FOR_APPROVAL', version: c.version });
      expect(c.changesRequested).to.equal(null);
    });
  });

  describe('listConsultations', () => {
    async function listAll(actor: Actor, query: { q?: string; state?: string[]; council?: string }, limit: number) {
      const seen: ConsultationDetails['id'][] = [];
      const pages: string[][] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await listConsultations(deps, actor, { ...query, limit, cursor });
        expect(page.items.length).to.be.at.most(limit);
        pages.push(page.items.map((item) => item.id));
        seen.push(...page.items.map((item) => item.id));
        if (!page.nextCursor) return { ids: seen, pages };
        cursor = page.nextCursor;
      }
      throw new Error('pagination never ended');
    }

    it('puts the soonest deadline first and pages through every visible item exactly once', async () => {
      const people = await makeCouncilWithPeople(db);
      const sec = people.secretary.actor;
      const days = [12, 3, 40, -5, 3, 20, 3, 7, 90, -1, 25];
      const created = [];
      for (const d of days)
        created.push(
          await makeConsultation(deps, sec, { council: people.council.slug, deadline: deadlineInDays(d, new Date('2026-01-01T00:00:00Z')) }),
        );
      // Three share one deadline exactly: the id breaks the tie.
      const expected = [...created].sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || (a.id < b.id ? -1 : 1)).map((c) => c.id);

      const full = await listConsultations(deps, sec, { council: people.council.slug });
      expect(full.items.map((i) => i.id)).to.deep.equal(expected);
      expect(full.nextCursor).to.equal(null);

      for (const limit of [1, 2, 3, 4, 10, 11]) {
        const { ids, pages } = await listAll(sec, { council: people.council.slug }, limit);
        expect(ids, `limit ${limit}`).to.deep.equal(expected);
        expect(new Set(ids).size).to.equal(ids.length);
        expect(pages.length).to.equal(Math.ceil(expected.length / limit));
      }
      // Without the council filter, the secretary sees exactly their council (it is their only one).
      const { ids } = await listAll(sec, {}, 4);
      expect(ids).to.deep.equal(expected);

      await appError(listConsultations(deps, sec, { cursor: 'ikke-en-markør' }), 'VALIDATION_FAILED');
      const farPast = Buffer.from(JSON.stringify(['-100000-01-01T00:00:00.000Z', created[0]!.id])).toString('base64url');
      await appError(listConsultations(deps, sec, { cursor: farPast }), 'VALIDATION_FAILED');
    });

    it('searches title, authority and reference with q, and filters by state', async () => {
      const people = await makeCouncilWithPeople(db);
      const sec = people.secretary.actor;
      const tag = unique();
      const byTitle = await makeConsultation(deps, sec, { council: people.council.slug, title: `Lokalplan ${tag} for Havnen` });
      const byAuthority = await makeConsultation(deps, sec, {
        council: people.council.slug,
        authority: `Teknik- og Miljøudvalget ${tag.toUpperCase()}`,
      });
      const neither = await makeConsultation(deps, sec, { council: people.council.slug, title: 'Budget 2027' });
      const ids = async (query: Parameters<typeof listConsultations>[2]) =>
        (await listConsultations(deps, sec, { ...query, council: people.council.slug })).items.map((i) => i.id).sort();

      expect(await ids({ q: tag })).to.deep.equal([byTitle.id, byAuthority.id].sort());
      expect(await ids({ q: `  ${tag.toUpperCase()} ` })).to.deep.equal([byTitle.id, byAuthority.id].sort());
      expect(await ids({ q: neither.reference! })).to.deep.equal([neither.id]);
      expect(await ids({ q: 'havnen' })).to.deep.equal([byTitle.id]);
      expect(await ids({ q: '%' })).to.deep.equal([]);
      expect(await ids({ q: '_' })).to.deep.equal([]);

      await sendEvent(deps, sec, byTitle.id, { type: 'START_DRAFTING', version: byTitle.version });
      expect(await ids({ state: ['drafting'] })).to.deep.equal([byTitle.id]);
      expect(await ids({ state: ['assigned'] })).to.deep.equal([byAuthority.id, neither.id].sort());
      expect(await ids({ state: ['assigned', 'drafting'] })).to.deep.equal([byTitle.id, byAuthority.id, neither.id].sort());
      expect(await ids({ state: ['submitted'] })).to.deep.equal([]);
      expect(await ids({ state: ['drafting'], q: tag })).to.deep.equal([byTitle.id]);
    });

    it('shows an admin everything, and an unassigned consultation only to its creator and admins', async () => {
      const a = await makeCouncilWithPeople(db);
      const b = await makeCouncilWithPeople(db);
      const secondSecretary = await makeUser(db, { council: a.council, role: 'secretary' });
      const admin = await makeUser(db, { admin: true });
      const tag = `adm${unique()}`;
      const inA = await makeConsultation(deps, a.secretary.actor, { council: a.council.slug, title: `A ${tag}` });
      const inB = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug, title: `B ${tag}` });
      const unassigned = await makeConsultation(deps, a.secretary.actor, { title: `U ${tag}` });
      const visible = async (actor: Actor) => (await listConsultations(deps, actor, { q: tag })).items.map((i) => i.id).sort();

      expect(await visible(admin.actor)).to.deep.equal([inA.id, inB.id, unassigned.id].sort());
      expect(await visible(a.secretary.actor)).to.deep.equal([inA.id, unassigned.id].sort());
      expect(await visible(secondSecretary.actor)).to.deep.equal([inA.id]);
      expect(await visible(a.chair.actor)).to.deep.equal([inA.id]);
      expect(await visible(a.staff.actor)).to.deep.equal([inA.id]);
      expect(await visible(b.member.actor)).to.deep.equal([inB.id]);
      const outsider = await makeUser(db, { council: await makeCouncil(db), role: 'secretary' });
      expect(await visible(outsider.actor)).to.deep.equal([]);
      // A foreign council's slug gives an empty list, not its consultations.
      expect((await listConsultations(deps, a.secretary.actor, { council: b.council.slug })).items).to.deep.equal([]);
      expect((await listConsultations(deps, admin.actor, { council: b.council.slug, q: tag })).items.map((i) => i.id)).to.deep.equal([inB.id]);

      await appError(getConsultation(deps, secondSecretary.actor, unassigned.id), 'NOT_FOUND');
      await appError(getConsultation(deps, a.chair.actor, unassigned.id), 'NOT_FOUND');
      expect((await getConsultation(deps, admin.actor, unassigned.id)).allowedEvents).to.include('ASSIGN');
      expect((await getConsultation(deps, a.secretary.actor, unassigned.id)).allowedEvents).to.deep.equal(['ASSIGN']);

      // Once assigned, the council sees it.
      await sendEvent(deps, admin.actor, unassigned.id, { type: 'ASSIGN', version: 1, council: a.council.slug });
      expect(await visible(secondSecretary.actor)).to.deep.equal([inA.id, unassigned.id].sort());
    });
  });
});
