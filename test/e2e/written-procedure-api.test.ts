import { expect } from 'chai';
import type { Db } from '../../src/db/database.ts';
import type { EventDeps } from '../../src/domain/consultations/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { workflowDeps } from '../support/fakes.ts';

type Json = any;
type Who = 'secretary' | 'chair' | 'member' | 'staff' | 'outsider';

describe('API: written procedure', () => {
  let app: TestApp;
  let db: Db;
  let deps: EventDeps;
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  const tokens = {} as Record<Who, string>;

  before(async () => {
    app = await startTestApp();
    db = testDatabase().db;
    deps = workflowDeps(db);
    people = await makeCouncilWithPeople(db);
    const others = await makeCouncilWithPeople(db);
    for (const [who, email] of [
      ['secretary', people.secretary.email],
      ['chair', people.chair.email],
      ['member', people.member.email],
      ['staff', people.staff.email],
      ['outsider', others.chair.email],
    ] as const) {
      tokens[who] = await apiTokenFor(db, email);
    }
  });
  after(() => app.close());

  async function api(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  const vote = (who: Who, id: string, body: unknown) => api(who, 'POST', `/consultations/${id}/written-procedure/votes`, body);

  it('runs a written procedure from start to approval, with who may vote and the errors of the contract', async () => {
    const c = await makeConsultationInState(deps, people, 'awaiting_approval');
    const closesAt = new Date(Date.now() + 86_400_000).toISOString();

    const past = await api('secretary', 'POST', `/consultations/${c.id}/events`, {
      type: 'START_WRITTEN_PROCEDURE',
      version: c.version,
      closesAt: '2020-01-01T12:00',
    });
    expect(past.status).to.equal(422);
    expect(past.body.error.details.map((d: Json) => d.path)).to.deep.equal(['closesAt']);

    const start = await api('secretary', 'POST', `/consultations/${c.id}/events`, {
      type: 'START_WRITTEN_PROCEDURE',
      version: c.version,
      closesAt,
      note: 'Svar senest fredag',
    });
    expect(start.status, JSON.stringify(start.body)).to.equal(200);
    expect(start.body.state).to.equal('written_procedure');
    expect(start.body.allowedEvents).to.include('CANCEL_WRITTEN_PROCEDURE');
    expect(start.body.writtenProcedure).to.deep.include({
      number: 1,
      status: 'running',
      closesAt,
      note: 'Svar senest fredag',
      outcome: null,
      mayVote: false,
      myVote: null,
      counts: { agree: 0, disagree: 0, abstain: 0, notVoted: 2 },
    });
    expect(start.body.writtenProcedure.voters.map((v: Json) => v.name)).to.have.members(['Ahmad Hussein', 'Birgitte Sørensen']);

    // The draft is frozen while the council votes.
    const draft = await api('secretary', 'PUT', `/consultations/${c.id}/draft`, { body: 'Ny tekst', version: start.body.version });
    expect(draft.status).to.equal(422);
    expect(draft.body.error.code).to.equal('TRANSITION_NOT_ALLOWED');

    for (const who of ['secretary', 'staff'] as const) {
      const refused = await vote(who, c.id, { vote: 'agree' });
      expect(refused.status, who).to.equal(403);
      expect(refused.body.error.code, who).to.equal('NOT_A_VOTER');
    }
    expect((await vote('outsider', c.id, { vote: 'agree' })).status).to.equal(404);
    const noComment = await vote('member', c.id, { vote: 'disagree' });
    expect(noComment.status).to.equal(422);
    expect(noComment.body.error.details.map((d: Json) => d.path)).to.deep.equal(['comment']);
    const unknown = await vote('member', c.id, { vote: 'måske' });
    expect(unknown.status).to.equal(422);

    const chair = await vote('chair', c.id, { vote: 'disagree', comment: 'Afsnit 3 mangler' });
    expect(chair.status).to.equal(200);
    expect(chair.body.writtenProcedure.myVote).to.deep.equal({ vote: 'disagree', comment: 'Afsnit 3 mangler' });
    const changed = await vote('chair', c.id, { vote: 'agree' });
    expect(changed.body.writtenProcedure.counts).to.deep.equal({ agree: 1, disagree: 0, abstain: 0, notVoted: 1 });
    // Staff see who has voted, not how.
    const staffView = await api('staff', 'GET', `/consultations/${c.id}`);
    expect(staffView.body.writtenProcedure.voters.map((v: Json) => Object.keys(v).sort())).to.deep.equal([
      ['hasVoted', 'name'],
      ['hasVoted', 'name'],
    ]);

    const last = await vote('member', c.id, { vote: 'agree', comment: 'Godt arbejde' });
    expect(last.status).to.equal(200);
    expect(last.body.state).to.equal('approved');
    expect(last.body.approval).to.deep.equal({
      basis: 'written_procedure',
      meetingDate: null,
      tally: { agree: 2, disagree: 0, abstain: 0, notVoted: 0 },
    });
    expect(last.body.writtenProcedure).to.deep.include({ status: 'approved', outcome: 'approved', mayVote: false });
    const timeline = last.body.timeline.map((e: Json) => e.type);
    expect(timeline.slice(-5)).to.deep.equal(['START_WRITTEN_PROCEDURE', 'CAST_VOTE', 'CAST_VOTE', 'CAST_VOTE', 'CLOSE_WRITTEN_PROCEDURE']);

    const late = await vote('member', c.id, { vote: 'abstain' });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('WRITTEN_PROCEDURE_CLOSED');
  });

  it('a vote where no procedure was ever started is refused as a transition, not as a closed procedure', async () => {
    const c = await makeConsultationInState(deps, people, 'drafted');
    const refused = await vote('member', c.id, { vote: 'agree' });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('TRANSITION_NOT_ALLOWED');
  });

  it('cancels a running procedure with a reason; the chair may cancel, a member may not', async () => {
    const c = await makeConsultationInState(deps, people, 'awaiting_approval');
    const start = await api('chair', 'POST', `/consultations/${c.id}/events`, {
      type: 'START_WRITTEN_PROCEDURE',
      version: c.version,
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(start.status).to.equal(200);
    const byMember = await api('member', 'POST', `/consultations/${c.id}/events`, {
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version: start.body.version,
      reason: 'Nej',
    });
    expect(byMember.status).to.equal(403);
    const noReason = await api('chair', 'POST', `/consultations/${c.id}/events`, { type: 'CANCEL_WRITTEN_PROCEDURE', version: start.body.version });
    expect(noReason.status).to.equal(422);
    const cancelled = await api('chair', 'POST', `/consultations/${c.id}/events`, {
      type: 'CANCEL_WRITTEN_PROCEDURE',
      version: start.body.version,
      reason: 'Mødet på tirsdag tager sagen',
    });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.state).to.equal('awaiting_approval');
    expect(cancelled.body.writtenProcedure).to.deep.include({ status: 'cancelled', cancelReason: 'Mødet på tirsdag tager sagen' });
  });
});
