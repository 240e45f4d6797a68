import { expect } from 'chai';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { loadActor, type Actor } from '../../src/domain/access/actor.ts';
import { getConsultation, sendEvent, type EventDeps } from '../../src/domain/consultations/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { castVote, closeWrittenProcedure } from '../../src/domain/written-procedure/service.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';
import { startSmtp, startTestScheduler, waitUntil, type TestScheduler, type TestSmtp } from '../support/mail.ts';

type People = Awaited<ReturnType<typeof makeCouncilWithPeople>>;

const HOUR = 3_600_000;

describe('written procedure (PostgreSQL)', () => {
  let db: Db;
  let deps: EventDeps;
  before(() => {
    db = testDatabase().db;
    deps = workflowDeps(db);
  });

  async function events(id: string) {
    return db.selectFrom('consultation_events').select(['type', 'payload', 'actor_id']).where('consultation_id', '=', id).orderBy('id').execute();
  }

  /** A consultation of a council with `extraMembers` more members, awaiting approval, and its procedure started to close in `closesInMs`. */
  async function started(options: { extraMembers?: number; closesInMs?: number; people?: People } = {}) {
    const people = options.people ?? (await makeCouncilWithPeople(db));
    const members: Actor[] = [people.member.actor];
    for (let i = 0; i < (options.extraMembers ?? 0); i += 1) {
      members.push((await makeUser(db, { council: people.council, role: 'member', name: `Medlem ${i + 2}` })).actor);
    }
    const awaiting = await makeConsultationInState(deps, people, 'awaiting_approval');
    const closesAt = new Date(Date.now() + (options.closesInMs ?? 24 * HOUR)).toISOString();
    const c = await sendEvent(deps, people.secretary.actor, awaiting.id, { type: 'START_WRITTEN_PROCEDURE', version: awaiting.version, closesAt });
    return { people, members, voters: [people.chair.actor, ...members], c, closesAt };
  }

  it('starts with the chair and members as voters, queues its closing in the transaction, and freezes the draft', async () => {
    const { c, people, closesAt } = await started({ extraMembers: 1 });
    expect(c.state).to.equal('written_procedure');
    expect(c.writtenProcedure).to.include({ number: 1, status: 'running', draftNumber: 1, quorumPercent: 50 });
    expect(c.writtenProcedure!.closesAt.toISOString()).to.equal(closesAt);
    expect(c.writtenProcedure!.voters.map((v) => v.name)).to.have.members(['Ahmad Hussein', 'Birgitte Sørensen', 'Medlem 2']);
    expect(c.writtenProcedure!.counts).to.deep.equal({ agree: 0, disagree: 0, abstain: 0, notVoted: 3 });
    expect(c.mayEditDraft).to.equal(false);
    const jobs = (deps.jobs as unknown as { queued: { queue: string; data: { consultationId: string }; inTransaction: boolean }[] }).queued;
    const close = jobs.filter((job) => job.queue === QUEUES.writtenProcedureClose && job.data.consultationId === c.id);
    expect(close).to.have.length(1);
    expect(close[0]!.inTransaction).to.equal(true);
    // The secretary may not vote (not a member), nor see a vote form.
    expect((await getConsultation(deps, people.secretary.actor, c.id)).writtenProcedure!.mayVote).to.equal(false);
  });

  it('refuses a closing time in the past or after the deadline, with the field named', async () => {
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(deps, people, 'awaiting_approval');
    for (const closesAt of [new Date(Date.now() - HOUR).toISOString(), new Date(c.deadline.getTime() + HOUR).toISOString()]) {
      const error = await sendEvent(deps, people.chair.actor, c.id, { type: 'START_WRITTEN_PROCEDURE', version: c.version, closesAt }).catch(
        (e) => e,
      );
      expect(error).to.be.instanceOf(AppError);
      expect(error.code).to.equal('VALIDATION_FAILED');
      expect(error.details.map((d: { path: string }) => d.path)).to.deep.equal(['closesAt']);
    }
  });

  it('votes change until closing, each on the timeline; the last voter closes it at once and the draft is approved', async () => {
    const { c, people, members } = await started();
    const chair = people.chair.actor;
    let view = await castVote(deps, chair, c.id, { vote: 'disagree', comment: 'Afsnit 2 er for vagt' });
    expect(view.writtenProcedure!.myVote).to.deep.equal({ vote: 'disagree', comment: 'Afsnit 2 er for vagt' });
    view = await castVote(deps, chair, c.id, { vote: 'agree' });
    expect(view.state).to.equal('written_procedure');
    expect(view.writtenProcedure!.counts).to.deep.equal({ agree: 1, disagree: 0, abstain: 0, notVoted: 1 });
    view = await castVote(deps, members[0]!, c.id, { vote: 'abstain' });
    expect(view.state).to.equal('approved');
    expect(view.approval).to.deep.equal({ basis: 'written_procedure', meetingDate: null, tally: { agree: 1, disagree: 0, abstain: 1, notVoted: 0 } });
    expect(view.writtenProcedure).to.include({ status: 'approved' });
    const log = await events(c.id);
    const types = log.map((e) => e.type);
    expect(types.slice(-4)).to.deep.equal(['CAST_VOTE', 'CAST_VOTE', 'CAST_VOTE', 'CLOSE_WRITTEN_PROCEDURE']);
    expect(log.at(-1)!.payload).to.deep.include({
      reason: 'everyone_voted',
      outcome: 'approved',
      tally: { agree: 1, disagree: 0, abstain: 1, notVoted: 0 },
    });
    // The closing job that comes later finds nothing to close.
    expect(await closeWrittenProcedure(deps, { consultationId: c.id, procedureNumber: 1 })).to.deep.equal({ closed: false });
    const late = await castVote(deps, chair, c.id, { vote: 'disagree', comment: 'For sent' }).catch((e) => e);
    expect(late.code).to.equal('WRITTEN_PROCEDURE_CLOSED');
  });

  it('a letter approved by written procedure is signed by the chair and records the count', async () => {
    const { c, people, members } = await started();
    await castVote(deps, people.chair.actor, c.id, { vote: 'agree' });
    const approved = await castVote(deps, members[0]!, c.id, { vote: 'agree' });
    const renders = (deps.pdf as unknown as { renders: { html: string }[] }).renders;
    const before = renders.length;
    const submitted = await sendEvent(deps, people.secretary.actor, c.id, {
      type: 'SUBMIT',
      version: approved.version,
      channel: 'portal',
      recipient: 'hoeringsportalen.dk',
    });
    expect(submitted.state).to.equal('submitted');
    const html = renders[before]!.html;
    expect(html).to.contain('Ahmad Hussein, formand');
    expect(html).to.match(
      /Godkendt af rådet ved skriftlig procedure afsluttet \d+\. \S+ \d{4}: 2 for, 0 imod, 0 hverken for eller imod, 0 stemte ikke\./,
    );
  });

  it('who may vote: not the secretary or staff (NOT_A_VOTER), not another council (NOT_FOUND); a disagree needs a comment', async () => {
    const { c, people } = await started();
    for (const actor of [people.secretary.actor, people.staff.actor]) {
      const error = await castVote(deps, actor, c.id, { vote: 'agree' }).catch((e) => e);
      expect(error.code).to.equal('NOT_A_VOTER');
    }
    const other = await makeCouncilWithPeople(db);
    expect((await castVote(deps, other.chair.actor, c.id, { vote: 'agree' }).catch((e) => e)).code).to.equal('NOT_FOUND');
    const noComment = await castVote(deps, people.member.actor, c.id, { vote: 'disagree' }).catch((e) => e);
    expect(noComment.code).to.equal('VALIDATION_FAILED');
    expect(noComment.details.map((d: { path: string }) => d.path)).to.deep.equal(['comment']);
    // Staff see the count, not how anyone voted.
    const staffView = await getConsultation(deps, people.staff.actor, c.id);
    expect(staffView.writtenProcedure!.voters.every((v) => v.vote === undefined)).to.equal(true);
  });

  it('not approved at its time: back to drafting with the objections as the comments to the secretary', async () => {
    const { c, people, members } = await started({ extraMembers: 1 });
    await castVote(deps, people.chair.actor, c.id, { vote: 'agree' });
    await castVote(deps, members[0]!, c.id, { vote: 'disagree', comment: 'Vi bør nævne sprogcentret' });
    const early = await closeWrittenProcedure(deps, { consultationId: c.id, procedureNumber: 1 }).catch((e) => e);
    expect(early).to.be.instanceOf(Error);
    const later = workflowDeps(db, () => new Date(Date.now() + 48 * HOUR));
    expect(await closeWrittenProcedure(later, { consultationId: c.id, procedureNumber: 1 })).to.deep.equal({ closed: true, outcome: 'not_approved' });
    const view = await getConsultation(deps, people.secretary.actor, c.id);
    expect(view.state).to.equal('drafting');
    expect(view.mayEditDraft).to.equal(true);
    expect(view.changesRequested).to.contain('for 1, imod 1').and.contain('Vi bør nævne sprogcentret');
  });

  it('is cancelled with a reason by the chair; its closing job then closes nothing', async () => {
    const { c, people } = await started();
    const cancelled = await sendEvent(deps, people.chair.actor, c.id, {
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version: c.version,
      reason: 'Mødet tager sagen',
    });
    expect(cancelled.state).to.equal('awaiting_approval');
    expect(cancelled.writtenProcedure).to.include({ status: 'cancelled', cancelReason: 'Mødet tager sagen' });
    const later = workflowDeps(db, () => new Date(Date.now() + 48 * HOUR));
    expect(await closeWrittenProcedure(later, { consultationId: c.id, procedureNumber: 1 })).to.deep.equal({ closed: false });
    expect((await castVote(deps, people.member.actor, c.id, { vote: 'agree' }).catch((e) => e)).code).to.equal('WRITTEN_PROCEDURE_CLOSED');
  });

  it('20 concurrent votes by 20 voters all count, and the last closes it once', async () => {
    const { c, voters } = await started({ extraMembers: 18 });
    expect(voters).to.have.length(20);
    const results = await Promise.allSettled(voters.map((voter, i) => castVote(deps, voter, c.id, { vote: i < 15 ? 'agree' : 'abstain' })));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).to.deep.equal([]);
    const log = await events(c.id);
    expect(log.filter((e) => e.type === 'CAST_VOTE')).to.have.length(20);
    const closes = log.filter((e) => e.type === 'CLOSE_WRITTEN_PROCEDURE');
    expect(closes).to.have.length(1);
    expect(closes[0]!.payload).to.deep.include({ tally: { agree: 15, disagree: 0, abstain: 5, notVoted: 0 }, outcome: 'approved' });
    const row = await db.selectFrom('consultations').select(['state', 'version']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row).to.deep.equal({ state: 'approved', version: c.version + 21 });
  });

  it('votes racing the closing are counted or refused with WRITTEN_PROCEDURE_CLOSED, never lost', async () => {
    const { c, voters, closesAt } = await started({ extraMembers: 9 });
    // The voting process's clock is a moment before the closing time, the closing process's a moment after.
    const voteDeps = workflowDeps(db, () => new Date(Date.parse(closesAt) - 1));
    const closeDeps = workflowDeps(db, () => new Date(Date.parse(closesAt) + 1));
    const votes = voters.map((voter) => castVote(voteDeps, voter, c.id, { vote: 'agree' }));
    const closing = closeWrittenProcedure(closeDeps, { consultationId: c.id, procedureNumber: 1 });
    const results = await Promise.allSettled(votes);
    await closing;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    for (const reason of refused) expect((reason as AppError).code, String(reason)).to.equal('WRITTEN_PROCEDURE_CLOSED');
    const counted = results.length - refused.length;
    const log = await events(c.id);
    const closeIndex = log.findIndex((e) => e.type === 'CLOSE_WRITTEN_PROCEDURE');
    expect(log.filter((e) => e.type === 'CLOSE_WRITTEN_PROCEDURE')).to.have.length(1);
    expect(log.filter((e) => e.type === 'CAST_VOTE')).to.have.length(counted);
    expect(log.slice(closeIndex + 1).filter((e) => e.type === 'CAST_VOTE')).to.deep.equal([]);
    const tally = (log[closeIndex]!.payload as { tally: { agree: number; notVoted: number } }).tally;
    expect(tally).to.deep.equal({ agree: counted, disagree: 0, abstain: 0, notVoted: voters.length - counted });
  });

  describe('with two schedulers (real pg-boss)', () => {
    let smtp: TestSmtp;
    const schedulers: TestScheduler[] = [];
    before(async () => {
      smtp = await startSmtp();
      schedulers.push(...(await Promise.all([0, 1].map(() => startTestScheduler({ smtpUrl: smtp.url, clock: () => new Date() })))));
    });
    after(async () => {
      await Promise.all(schedulers.map((s) => s.stop()));
      await smtp.close();
    });

    it('close a procedure exactly once at its time, even with its job queued twice', async () => {
      const people = await makeCouncilWithPeople(db);
      const awaiting = await makeConsultationInState(deps, people, 'awaiting_approval');
      const closesAt = new Date(Date.now() + 3_000).toISOString();
      const realDeps = { ...deps, jobs: schedulers[0]!.jobs };
      const c = await sendEvent(realDeps, people.chair.actor, awaiting.id, { type: 'START_WRITTEN_PROCEDURE', version: awaiting.version, closesAt });
      await castVote(deps, (await loadActor(db, people.chair.actor.userId))!, c.id, { vote: 'agree' });
      // A second copy of the closing job, from the other process.
      await schedulers[1]!.jobs.enqueue(
        QUEUES.writtenProcedureClose,
        { consultationId: c.id, procedureNumber: 1 },
        { startAfter: new Date(closesAt) },
      );
      await waitUntil(
        async () =>
          (await db.selectFrom('consultations').select('state').where('id', '=', c.id).executeTakeFirstOrThrow()).state !== 'written_procedure',
        60_000,
        'the procedure to close',
      );
      // Both jobs have run (completed) before the log is counted.
      await waitUntil(
        async () => {
          const { rows } = await sql<{ state: string }>`
            select state from pgboss.job where name = ${QUEUES.writtenProcedureClose} and data->>'consultationId' = ${c.id}`.execute(db);
          return rows.length >= 2 && rows.every((r) => r.state === 'completed');
        },
        60_000,
        'both closing jobs to complete',
      );
      const log = await events(c.id);
      expect(log.filter((e) => e.type === 'CLOSE_WRITTEN_PROCEDURE')).to.have.length(1);
      expect(log.at(-1)!.payload).to.deep.include({ reason: 'closes_at', outcome: 'approved' });
      expect(log.at(-1)!.actor_id).to.equal(null);
    });
  });
});
