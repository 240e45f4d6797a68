import { expect } from 'chai';
import { adjacencyMapToArray, createTestModel } from '@xstate/graph';
import { initialTransition, transition } from 'xstate';
import {
  acceptedEventTypes,
  consultationMachine,
  EVENT_TYPES,
  FINAL_STATES,
  OPEN_STATES,
  STATES,
  type ConsultationMachineEvent,
  type ConsultationSnapshot,
  type ConsultationState,
} from '../../workflows/consultation.machine.ts';

type EventType = ConsultationMachineEvent['type'];

const DEADLINE = '2025-03-14T12:00:00+01:00';
const LATER_DEADLINE = '2025-03-28T12:00:00+01:00';
const EVEN_LATER_DEADLINE = '2025-04-11T12:00:00+02:00';

const ALL_STATES: ConsultationState[] = [
  'received',
  'assigned',
  'drafting',
  'awaiting_approval',
  'written_procedure',
  'approved',
  'submitted',
  'declined',
  'withdrawn',
];
const ALL_EVENT_TYPES: EventType[] = [
  'ASSIGN',
  'START_DRAFTING',
  'SAVE_DRAFT',
  'SUBMIT_FOR_APPROVAL',
  'REQUEST_CHANGES',
  'APPROVE',
  'SUBMIT',
  'DECLINE',
  'WITHDRAW',
  'EXTEND_DEADLINE',
  'START_WRITTEN_PROCEDURE',
  'CAST_VOTE',
  'CLOSE_WRITTEN_PROCEDURE',
  'CANCEL_WRITTEN_PROCEDURE',
  'CONFIRM_INTAKE',
];
/** The events a person sends (EVENT_TYPES): the service sends the rest. */
const SERVICE_EVENT_TYPES: EventType[] = ['SAVE_DRAFT', 'CAST_VOTE', 'CLOSE_WRITTEN_PROCEDURE', 'CONFIRM_INTAKE'];

// A written procedure in the tests: three voters, half must take part, it closes the day before the deadline.
const VOTERS = [11, 12, 13];
const STARTED_AT = '2025-03-11T09:00:00+01:00';
const CLOSES_AT = '2025-03-13T12:00:00+01:00';
const BEFORE_CLOSING = '2025-03-12T10:00:00+01:00';
const startProcedure = (voters = VOTERS, quorumPercent = 50): ConsultationMachineEvent => ({
  type: 'START_WRITTEN_PROCEDURE',
  startedAt: STARTED_AT,
  closesAt: CLOSES_AT,
  voters,
  voterNames: Object.fromEntries(voters.map((id) => [String(id), `Medlem ${id}`])),
  quorumPercent,
});
const vote = (voter: number, choice: 'agree' | 'disagree' | 'abstain', at = BEFORE_CLOSING): ConsultationMachineEvent => ({
  type: 'CAST_VOTE',
  voter,
  vote: choice,
  comment: choice === 'disagree' ? `Medlem ${voter} er uenig i afsnit 2` : null,
  at,
});
const closeAtTime: ConsultationMachineEvent = { type: 'CLOSE_WRITTEN_PROCEDURE', at: CLOSES_AT };
const closeEarly: ConsultationMachineEvent = { type: 'CLOSE_WRITTEN_PROCEDURE', at: BEFORE_CLOSING };

/**
 * The transition table, written out independently of the machine: state → event → target. A
 * written procedure's closing has two targets, approved or drafting, as the count decides.
 */
const TABLE: Record<ConsultationState, Partial<Record<EventType, ConsultationState | ConsultationState[]>>> = {
  received: { ASSIGN: 'assigned', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'received', CONFIRM_INTAKE: 'received' },
  assigned: { START_DRAFTING: 'drafting', DECLINE: 'declined', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'assigned', CONFIRM_INTAKE: 'assigned' },
  drafting: {
    SAVE_DRAFT: 'drafting',
    SUBMIT_FOR_APPROVAL: 'awaiting_approval',
    DECLINE: 'declined',
    WITHDRAW: 'withdrawn',
    EXTEND_DEADLINE: 'drafting',
  },
  awaiting_approval: {
    REQUEST_CHANGES: 'drafting',
    APPROVE: 'approved',
    START_WRITTEN_PROCEDURE: 'written_procedure',
    WITHDRAW: 'withdrawn',
    EXTEND_DEADLINE: 'awaiting_approval',
  },
  written_procedure: {
    CAST_VOTE: 'written_procedure',
    CLOSE_WRITTEN_PROCEDURE: ['drafting', 'approved'],
    CANCEL_WRITTEN_PROCEDURE: 'awaiting_approval',
    WITHDRAW: 'withdrawn',
    EXTEND_DEADLINE: 'written_procedure',
  },
  approved: { SUBMIT: 'submitted', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'approved' },
  submitted: {},
  declined: {},
  withdrawn: {},
};

const targetsOf = (target: ConsultationState | ConsultationState[] | undefined): ConsultationState[] =>
  target === undefined ? [] : Array.isArray(target) ? target : [target];
const TABLE_TRIPLES = Object.entries(TABLE).flatMap(([from, row]) =>
  Object.entries(row).flatMap(([event, to]) => targetsOf(to).map((target) => `${from} --${event}--> ${target}`)),
);

function start(input: { deadline: string; council?: string | null } = { deadline: DEADLINE }): ConsultationSnapshot {
  return initialTransition(consultationMachine, input)[0];
}

function send(snapshot: ConsultationSnapshot, event: ConsultationMachineEvent): ConsultationSnapshot {
  return transition(consultationMachine, snapshot, event)[0];
}

function sendAll(snapshot: ConsultationSnapshot, events: ConsultationMachineEvent[]): ConsultationSnapshot {
  return events.reduce(send, snapshot);
}

const assignEvent: ConsultationMachineEvent = { type: 'ASSIGN', council: 'integrationsraadet-aarhus', assignee: 'sekretaer@aarhus.dk' };
const draftEvent = (draftNumber: number, empty = false): ConsultationMachineEvent => ({ type: 'SAVE_DRAFT', draftNumber, empty });

/** Builds a snapshot in each state by a valid path. */
function reach(state: ConsultationState): ConsultationSnapshot {
  const received = start();
  const assigned = send(received, assignEvent);
  const drafting = send(assigned, { type: 'START_DRAFTING' });
  const awaiting = sendAll(drafting, [draftEvent(1), { type: 'SUBMIT_FOR_APPROVAL' }]);
  const approved = send(awaiting, { type: 'APPROVE', basis: 'chair_decision' });
  const byState: Record<ConsultationState, ConsultationSnapshot> = {
    received,
    assigned,
    drafting,
    awaiting_approval: awaiting,
    written_procedure: send(awaiting, startProcedure()),
    approved,
    submitted: send(approved, { type: 'SUBMIT', channel: 'email', recipient: 'plan@aarhus.dk' }),
    declined: send(assigned, { type: 'DECLINE', reason: 'Uden for rådets område' }),
    withdrawn: send(received, { type: 'WITHDRAW', reason: 'Kommunen har trukket høringen tilbage' }),
  };
  const snapshot = byState[state];
  expect(snapshot.value, `reach(${state})`).to.equal(state);
  return snapshot;
}

/** A valid payload of each event type for a snapshot (SAVE_DRAFT with the next draft number). */
function validEvent(type: EventType, snapshot: ConsultationSnapshot): ConsultationMachineEvent {
  switch (type) {
    case 'ASSIGN':
      return assignEvent;
    case 'START_DRAFTING':
    case 'SUBMIT_FOR_APPROVAL':
      return { type };
    case 'SAVE_DRAFT':
      return draftEvent(snapshot.context.draftNumber + 1);
    case 'REQUEST_CHANGES':
      return { type, comment: 'Afsnit 2 skal skærpes' };
    case 'APPROVE':
      return { type, basis: 'meeting', meetingDate: '2025-03-10' };
    case 'SUBMIT':
      return { type, channel: 'portal', recipient: 'hoeringsportalen.dk', submittedAt: '2025-03-12T09:00:00+01:00' };
    case 'DECLINE':
      return { type, reason: 'Rådet har ikke kapacitet' };
    case 'WITHDRAW':
      return { type, reason: 'Høringen er trukket tilbage' };
    case 'EXTEND_DEADLINE':
      return { type, deadline: '2099-12-31T12:00:00+01:00' };
    case 'START_WRITTEN_PROCEDURE':
      return startProcedure();
    case 'CAST_VOTE':
      return vote(VOTERS[0]!, 'agree');
    case 'CLOSE_WRITTEN_PROCEDURE':
      return closeAtTime;
    case 'CANCEL_WRITTEN_PROCEDURE':
      return { type, reason: 'Sagen tages op på mødet i stedet' };
    case 'CONFIRM_INTAKE':
      return { type, deadline: '2025-03-14T12:00:00+01:00' };
  }
}

/** Asserts that `event` is refused: `can()` is false and the snapshot does not change. */
function expectRefused(snapshot: ConsultationSnapshot, event: ConsultationMachineEvent) {
  const label = `${String(snapshot.value)} + ${JSON.stringify(event)}`;
  expect(snapshot.can(event), `can(): ${label}`).to.equal(false);
  const next = send(snapshot, event);
  expect(next.value, label).to.equal(snapshot.value);
  expect(next.context, label).to.deep.equal(snapshot.context);
}

/** Asserts that `event` is accepted and leads to `target`; returns the new snapshot. */
function expectAccepted(snapshot: ConsultationSnapshot, event: ConsultationMachineEvent, target: ConsultationState) {
  const label = `${String(snapshot.value)} + ${JSON.stringify(event)}`;
  expect(snapshot.can(event), `can(): ${label}`).to.equal(true);
  const next = send(snapshot, event);
  expect(next.value, label).to.equal(target);
  return next;
}

/** What must hold in every reachable snapshot, whatever the path. */
function checkInvariants(snapshot: ConsultationSnapshot) {
  const { context } = snapshot;
  const state = snapshot.value;
  const label = `${state}: ${JSON.stringify(context)}`;
  expect(ALL_STATES, label).to.include(state);
  expect(context.extensions, label).to.be.a('number').and.to.be.at.least(0);
  expect(Date.parse(context.deadline), label).to.be.at.least(Date.parse(DEADLINE));
  if (context.extensions === 0 && !context.intakeConfirmed) expect(context.deadline, label).to.equal(DEADLINE);
  else expect(Date.parse(context.deadline), label).to.be.greaterThan(Date.parse(DEADLINE));
  if (state !== 'received' && state !== 'withdrawn') {
    expect(context.council, label).to.be.a('string').and.not.equal('');
  }
  if ((OPEN_STATES as readonly string[]).includes(state)) {
    expect(context.closingReason, label).to.equal(null);
    expect(context.submission, label).to.equal(null);
    expect(snapshot.status, label).to.equal('active');
  } else {
    expect(snapshot.status, label).to.equal('done');
  }
  if (state === 'awaiting_approval' || state === 'approved' || state === 'submitted') {
    expect(context.draftNumber, label).to.be.greaterThan(0);
    expect(context.draftEmpty, label).to.equal(false);
    expect(context.changesRequested, label).to.equal(null);
  }
  if (state === 'awaiting_approval') expect(context.approval, label).to.equal(null);
  if (state === 'approved' || state === 'submitted') {
    expect(context.approval, label).to.not.equal(null);
    if (context.approval?.basis === 'meeting') expect(context.approval.meetingDate, label).to.match(/^\d{4}-\d{2}-\d{2}$/);
    else expect(context.approval?.meetingDate, label).to.equal(null);
  } else if (state !== 'withdrawn') {
    // Withdrawing an approved consultation keeps its approval; everywhere else there is none.
    expect(context.approval, label).to.equal(null);
  }
  if (state === 'submitted') expect(context.submission, label).to.not.equal(null);
  const procedure = context.writtenProcedure;
  if (state === 'written_procedure') {
    expect(procedure, label).to.not.equal(null);
    expect(procedure!.outcome, label).to.equal(null);
    expect(procedure!.draftNumber, label).to.equal(context.draftNumber);
    for (const voter of Object.keys(procedure!.votes)) expect(procedure!.voters.map(String), label).to.include(voter);
  } else if (procedure) {
    expect(procedure.outcome, label).to.be.oneOf(
      state === 'withdrawn' ? [null, 'approved', 'not_approved', 'cancelled'] : ['approved', 'not_approved', 'cancelled'],
    );
  }
  if (context.approval?.basis === 'written_procedure' && context.approval.tally) {
    expect(procedure?.outcome, label).to.equal('approved');
    const t = context.approval.tally;
    expect(t.agree + t.disagree + t.abstain + t.notVoted, label).to.equal(procedure!.voters.length);
    expect(t.agree, label).to.be.greaterThan(t.disagree);
  }
  if (state === 'declined' || state === 'withdrawn') {
    expect(context.closingReason, label).to.be.a('string');
    expect(context.closingReason?.trim(), label).to.equal(context.closingReason).and.not.equal('');
    expect(context.submission, label).to.equal(null);
  }
}

describe('consultation machine', () => {
  it('lists the states and events the tests were written against', () => {
    expect([...STATES]).to.deep.equal(ALL_STATES);
    expect([...EVENT_TYPES]).to.deep.equal(ALL_EVENT_TYPES.filter((type) => !SERVICE_EVENT_TYPES.includes(type)));
    expect([...OPEN_STATES, ...FINAL_STATES]).to.have.members(ALL_STATES);
  });

  it("FINAL_STATES are exactly the machine's final states, and OPEN_STATES the others", () => {
    const nodes = Object.values(consultationMachine.states);
    expect(nodes.map((node) => node.key)).to.have.members(ALL_STATES);
    expect([...FINAL_STATES]).to.have.members(nodes.filter((node) => node.type === 'final').map((node) => node.key));
    expect([...OPEN_STATES]).to.have.members(nodes.filter((node) => node.type !== 'final').map((node) => node.key));
  });

  it('builds an initial snapshot without input (transition() makes one on every call) without failing', () => {
    // A context factory that reads a missing input throws inside XState, which catches the error
    // and marks the throwaway snapshot failed: correct results, but every transition pays for it.
    const [initial] = initialTransition(consultationMachine, undefined as never);
    expect(initial.status).to.equal('active');
    expect(initial.error).to.equal(undefined);
    expect(initial.value).to.equal('received');
  });

  it('starts in received with a fresh context from the input', () => {
    const snapshot = start({ deadline: DEADLINE, council: 'aeldreraadet' });
    expect(snapshot.value).to.equal('received');
    expect(snapshot.context).to.deep.equal({
      council: 'aeldreraadet',
      assignee: null,
      deadline: DEADLINE,
      draftNumber: 0,
      draftEmpty: true,
      changesRequested: null,
      approval: null,
      submission: null,
      closingReason: null,
      extensions: 0,
      writtenProcedure: null,
    });
  });

  describe('model-based (@xstate/graph)', function () {
    // Building the graph and replaying some hundreds of paths is pure CPU: a few seconds on an
    // idle machine, many times that on a loaded one. The limit is only there to catch a hang.
    this.timeout(600_000);

    // Bounded event payloads (SAVE_DRAFT with the next draft number up to 2, one later deadline,
    // both kinds of approval), so the graph of (state, context) stays finite.
    const modelEvents =
      ({ extend, bothApprovals }: { extend: boolean; bothApprovals: boolean }) =>
      (snapshot: ConsultationSnapshot): ConsultationMachineEvent[] => [
        assignEvent,
        { type: 'START_DRAFTING' },
        ...(snapshot.context.draftNumber < 2 ? [draftEvent(snapshot.context.draftNumber + 1)] : []),
        { type: 'SUBMIT_FOR_APPROVAL' },
        { type: 'REQUEST_CHANGES', comment: '  Afsnit 2 skal skærpes ' },
        ...(bothApprovals ? [{ type: 'APPROVE', basis: 'chair_decision' } as const] : []),
        { type: 'APPROVE', basis: 'meeting', meetingDate: '2025-03-10' },
        { type: 'SUBMIT', channel: 'email', recipient: 'plan@aarhus.dk', submittedAt: '2025-03-12T09:00:00+01:00' },
        { type: 'DECLINE', reason: 'Uden for rådets område' },
        { type: 'WITHDRAW', reason: 'Høringen er trukket tilbage' },
        ...(extend ? [{ type: 'EXTEND_DEADLINE', deadline: LATER_DEADLINE } as const] : []),
        ...(extend ? [{ type: 'CONFIRM_INTAKE', deadline: LATER_DEADLINE } as const] : []),
        // One procedure with one voter in the full model (its closing rules have a model of their
        // own below); none in the small one, whose simple paths would otherwise multiply.
        ...(extend && !snapshot.context.writtenProcedure ? [startProcedure([11])] : []),
        // A second identical vote changes nothing; the model only casts a first one.
        ...(extend && !snapshot.context.writtenProcedure?.votes['11'] ? [vote(11, 'agree')] : []),
        ...(extend ? [closeEarly, closeAtTime, { type: 'CANCEL_WRITTEN_PROCEDURE', reason: 'Mødet tager den' } as const] : []),
      ];
    const input = { deadline: DEADLINE };
    const model = createTestModel(consultationMachine, { events: modelEvents({ extend: true, bothApprovals: true }), input });
    // The simple paths of the full model run into thousands; this one leaves out EXTEND_DEADLINE
    // (a self-transition the full model's shortest paths already cover) and the chair-decision
    // approval, and has some hundreds.
    const smallModel = createTestModel(consultationMachine, { events: modelEvents({ extend: false, bothApprovals: false }), input });

    type Path = ReturnType<typeof model.getShortestPaths>[number];
    let shortestPaths: Path[] = [];
    let simplePaths: Path[] = [];
    before(() => {
      // One path to every vertex of the graph, not only the ones no longer path contains.
      shortestPaths = model.getShortestPaths({ allowDuplicatePaths: true });
      simplePaths = smallModel.getSimplePaths();
    });

    /** Replays a path on the pure machine with `transition()` and checks every state it reaches. */
    async function replay(path: Path) {
      let sut = start();
      const events = Object.fromEntries(
        ALL_EVENT_TYPES.map((type) => [
          type,
          (step: { event: { type: string } }) => {
            sut = send(sut, step.event as ConsultationMachineEvent);
          },
        ]),
      );
      await path.test({
        events,
        states: {
          '*': (state) => {
            expect(sut.value).to.equal(state.value);
            expect(sut.context).to.deep.equal(state.context);
            checkInvariants(sut);
          },
        },
      });
      expect(sut.value).to.equal(path.state.value);
    }

    const changed = (a: ConsultationSnapshot, b: ConsultationSnapshot) =>
      a.value !== b.value || JSON.stringify(a.context) !== JSON.stringify(b.context);

    /** The states visited by the paths. */
    const reachedStates = (paths: Path[]) => new Set(paths.flatMap((path) => path.steps.map((step) => String(step.state.value))));

    /**
     * `from --EVENT--> to` for every step of the paths that changed the snapshot. (The first step
     * is xstate.init; the test model also walks refused events, which change nothing.)
     */
    function takenTransitions(paths: Path[]) {
      const triples = new Set<string>();
      for (const path of paths) {
        for (let i = 1; i < path.steps.length; i++) {
          const before = path.steps[i - 1];
          const step = path.steps[i];
          if (!before || !step) throw new Error('missing step');
          if (changed(before.state, step.state)) {
            triples.add(`${String(before.state.value)} --${step.event.type}--> ${String(step.state.value)}`);
          }
        }
      }
      return triples;
    }

    it('the shortest paths reach all 9 states and end in each of them', () => {
      expect([...reachedStates(shortestPaths)]).to.have.members(ALL_STATES);
      expect([...new Set(shortestPaths.map((path) => String(path.state.value)))]).to.have.members(ALL_STATES);
    });

    it('the shortest paths take every transition in the table, and no other', () => {
      expect([...takenTransitions(shortestPaths)]).to.have.members(TABLE_TRIPLES);
    });

    it('the simple paths reach all states but the written procedure and take every transition in the table but the deadline’s (EXTEND_DEADLINE, CONFIRM_INTAKE) and the procedure’s, and no other', () => {
      expect(simplePaths.length).to.be.greaterThan(shortestPaths.length);
      expect([...reachedStates(simplePaths)]).to.have.members(ALL_STATES.filter((state) => state !== 'written_procedure'));
      expect([...takenTransitions(simplePaths)]).to.have.members(
        TABLE_TRIPLES.filter(
          (triple) => !triple.includes('--EXTEND_DEADLINE-->') && !triple.includes('--CONFIRM_INTAKE-->') && !triple.includes('written_procedure'),
        ),
      );
    });

    it('every event type is accepted in the explored graph, as the table says, and can() agrees', () => {
      const accepted = new Set<string>();
      const refused = new Set<string>();
      const edges = adjacencyMapToArray(model.getAdjacencyMap());
      expect(edges.length).to.be.greaterThan(TABLE_TRIPLES.length);
      for (const { state, event, nextState } of edges) {
        const label = `${String(state.value)} + ${JSON.stringify(event)}`;
        const didChange = changed(state, nextState);
        (didChange ? accepted : refused).add(event.type);
        expect(state.can(event), label).to.equal(didChange);
        if (didChange) expect(targetsOf(TABLE[state.value][event.type]), label).to.include(nextState.value);
      }
      expect([...accepted]).to.have.members(ALL_EVENT_TYPES);
      // Guards the model runs into: no draft yet, a deadline already extended to LATER_DEADLINE, a
      // closing before its time while someone has not voted.
      expect([...refused]).to.include.members(['SUBMIT_FOR_APPROVAL', 'EXTEND_DEADLINE', 'CLOSE_WRITTEN_PROCEDURE']);
    });

    it('acceptedEventTypes names, in every explored snapshot, exactly the event types can() accepts with a well-formed payload', () => {
      const snapshots = new Map<string, ConsultationSnapshot>();
      for (const { state } of adjacencyMapToArray(model.getAdjacencyMap())) {
        snapshots.set(JSON.stringify([state.value, state.context]), state);
      }
      expect(snapshots.size).to.be.greaterThan(ALL_STATES.length);
      const offered = new Set<string>();
      for (const snapshot of snapshots.values()) {
        const accepted = acceptedEventTypes(snapshot);
        const label = `${String(snapshot.value)}: ${JSON.stringify(snapshot.context)}`;
        expect(accepted, label).to.have.members(ALL_EVENT_TYPES.filter((type) => snapshot.can(validEvent(type, snapshot))));
        for (const type of accepted) offered.add(`${String(snapshot.value)} ${type}`);
      }
      // Each row of the table is offered somewhere, SUBMIT_FOR_APPROVAL only once a draft is saved.
      expect([...offered]).to.have.members(Object.entries(TABLE).flatMap(([from, row]) => Object.keys(row).map((type) => `${from} ${type}`)));
    });

    it('replaying every shortest path with transition() gives the same states and keeps the invariants', async () => {
      expect(shortestPaths.length).to.be.greaterThan(ALL_STATES.length);
      for (const path of shortestPaths) await replay(path);
    });

    it('replaying every simple path with transition() gives the same states and keeps the invariants', async () => {
      for (const path of simplePaths) await replay(path);
    });
  });

  describe('model-based: the written procedure’s closing rules (@xstate/graph)', function () {
    this.timeout(600_000);
    // From registration straight to a procedure and every combination of three voters' votes,
    // closing early or at its time, cancelling, and a second procedure after the first.
    const procedureEvents = (snapshot: ConsultationSnapshot): ConsultationMachineEvent[] => [
      assignEvent,
      { type: 'START_DRAFTING' },
      ...(snapshot.context.draftNumber < 1 ? [draftEvent(1)] : []),
      { type: 'SUBMIT_FOR_APPROVAL' },
      ...((snapshot.context.writtenProcedure?.number ?? 0) < 2 ? [startProcedure()] : []),
      ...VOTERS.flatMap((voter) => (['agree', 'disagree', 'abstain'] as const).map((choice) => vote(voter, choice))),
      closeEarly,
      closeAtTime,
      { type: 'CANCEL_WRITTEN_PROCEDURE', reason: 'Sagen tages op på mødet' },
    ];
    const model = createTestModel(consultationMachine, { events: procedureEvents, input: { deadline: DEADLINE } });

    /** The closing rule, written out independently of the machine: half take part, more agree than disagree. */
    function expectedOutcome(votes: Record<string, { vote: string }>): 'approved' | 'drafting' {
      const cast = Object.values(votes).map((v) => v.vote);
      const agree = cast.filter((v) => v === 'agree').length;
      const disagree = cast.filter((v) => v === 'disagree').length;
      return cast.length * 2 >= VOTERS.length && agree > disagree ? 'approved' : 'drafting';
    }

    it('every closing goes where the rule says, closes early only when everyone voted, and keeps the invariants', () => {
      const edges = adjacencyMapToArray(model.getAdjacencyMap());
      const outcomes = new Set<string>();
      let closings = 0;
      for (const { state, event, nextState } of edges) {
        const label = `${String(state.value)} ${JSON.stringify(state.context.writtenProcedure?.votes)} + ${JSON.stringify(event)}`;
        checkInvariants(nextState);
        if (event.type !== 'CLOSE_WRITTEN_PROCEDURE' || state.value !== 'written_procedure') continue;
        const votes = state.context.writtenProcedure!.votes;
        const everyone = Object.keys(votes).length === VOTERS.length;
        if (event.at === BEFORE_CLOSING && !everyone) {
          expect(nextState.value, label).to.equal('written_procedure');
          continue;
        }
        closings += 1;
        expect(nextState.value, label).to.equal(expectedOutcome(votes));
        outcomes.add(`${nextState.value}${everyone ? ' everyone' : ''}`);
      }
      // Every vote combination (4^3 of them, in two procedures) is closed at its time, and early when complete.
      expect(closings).to.be.greaterThan(2 * 64);
      expect([...outcomes]).to.have.members(['approved', 'drafting', 'approved everyone', 'drafting everyone']);
    });

    it('replaying every shortest path with transition() gives the same states and keeps the invariants', async () => {
      const paths = model.getShortestPaths({ allowDuplicatePaths: true });
      expect(new Set(paths.map((path) => String(path.state.value)))).to.include('written_procedure');
      for (const path of paths) {
        let sut = start();
        await path.test({
          events: Object.fromEntries(
            ALL_EVENT_TYPES.map((type) => [
              type,
              (step: { event: { type: string } }) => {
                sut = send(sut, step.event as ConsultationMachineEvent);
              },
            ]),
          ),
          states: {
            '*': (state) => {
              expect(sut.value).to.equal(state.value);
              expect(sut.context).to.deep.equal(state.context);
            },
          },
        });
      }
    });
  });

  describe('the transition table', () => {
    for (const from of ALL_STATES) {
      for (const type of ALL_EVENT_TYPES) {
        const target = targetsOf(TABLE[from][type])[0];
        if (target) {
          it(`${from} --${type}--> ${target}`, () => {
            const snapshot = from === 'drafting' && type === 'SUBMIT_FOR_APPROVAL' ? send(reach(from), draftEvent(1)) : reach(from);
            expectAccepted(snapshot, validEvent(type, snapshot), target);
          });
        }
      }
      it(`${from} refuses every event not in its row, even with a valid payload`, () => {
        const snapshot = from === 'drafting' ? send(reach(from), draftEvent(1)) : reach(from);
        const refused = ALL_EVENT_TYPES.filter((type) => TABLE[from][type] === undefined);
        for (const type of refused) expectRefused(snapshot, validEvent(type, snapshot));
      });
    }
  });

  describe('ASSIGN', () => {
    it('records the council and the assignee', () => {
      const next = expectAccepted(start(), assignEvent, 'assigned');
      expect(next.context.council).to.equal('integrationsraadet-aarhus');
      expect(next.context.assignee).to.equal('sekretaer@aarhus.dk');
    });

    it('sets the assignee to null when none is given', () => {
      const next = expectAccepted(start(), { type: 'ASSIGN', council: 'handicapraadet' }, 'assigned');
      expect(next.context.assignee).to.equal(null);
    });

    it('is refused without a council', () => {
      expectRefused(start(), { type: 'ASSIGN', council: '' });
      expectRefused(start(), { type: 'ASSIGN', council: '   ', assignee: 'sekretaer@aarhus.dk' });
    });
  });

  describe('SAVE_DRAFT', () => {
    it('records the draft number and whether it is empty', () => {
      let snapshot = reach('drafting');
      snapshot = expectAccepted(snapshot, draftEvent(1, true), 'drafting');
      expect(snapshot.context).to.include({ draftNumber: 1, draftEmpty: true });
      snapshot = expectAccepted(snapshot, draftEvent(2, false), 'drafting');
      expect(snapshot.context).to.include({ draftNumber: 2, draftEmpty: false });
    });

    it('is refused unless the number is a larger integer', () => {
      const snapshot = send(reach('drafting'), draftEvent(3));
      expectRefused(snapshot, draftEvent(3));
      expectRefused(snapshot, draftEvent(2));
      expectRefused(snapshot, draftEvent(3.5));
      expectRefused(snapshot, draftEvent(Number.NaN));
      expectAccepted(snapshot, draftEvent(4), 'drafting');
    });
  });

  describe('SUBMIT_FOR_APPROVAL', () => {
    it('is refused with no draft', () => {
      const snapshot = reach('drafting');
      expect(snapshot.context.draftNumber).to.equal(0);
      expectRefused(snapshot, { type: 'SUBMIT_FOR_APPROVAL' });
    });

    it('is refused when the newest draft is empty', () => {
      const snapshot = sendAll(reach('drafting'), [draftEvent(1), draftEvent(2, true)]);
      expect(snapshot.context.draftEmpty).to.equal(true);
      expectRefused(snapshot, { type: 'SUBMIT_FOR_APPROVAL' });
    });

    it('is accepted after a non-empty draft and clears an earlier change request', () => {
      const sentBack = sendAll(reach('awaiting_approval'), [{ type: 'REQUEST_CHANGES', comment: 'Kortere, tak' }]);
      expect(sentBack.context.changesRequested).to.equal('Kortere, tak');
      const resubmitted = expectAccepted(send(sentBack, draftEvent(2)), { type: 'SUBMIT_FOR_APPROVAL' }, 'awaiting_approval');
      expect(resubmitted.context.changesRequested).to.equal(null);
      expect(resubmitted.context.draftNumber).to.equal(2);
    });
  });

  describe('REQUEST_CHANGES', () => {
    it('sends the draft back to drafting with the trimmed comment', () => {
      const next = expectAccepted(reach('awaiting_approval'), { type: 'REQUEST_CHANGES', comment: '  Skærp afsnit 2\n' }, 'drafting');
      expect(next.context.changesRequested).to.equal('Skærp afsnit 2');
      expect(next.context.approval).to.equal(null);
      expect(next.context.draftNumber).to.equal(1);
    });

    it('is refused with a blank comment', () => {
      expectRefused(reach('awaiting_approval'), { type: 'REQUEST_CHANGES', comment: '' });
      expectRefused(reach('awaiting_approval'), { type: 'REQUEST_CHANGES', comment: ' \n\t ' });
    });
  });

  describe('APPROVE', () => {
    it('records a chair decision without a meeting date', () => {
      const next = expectAccepted(reach('awaiting_approval'), { type: 'APPROVE', basis: 'chair_decision', meetingDate: '2025-03-10' }, 'approved');
      expect(next.context.approval).to.deep.equal({ basis: 'chair_decision', meetingDate: null });
    });

    it('records a written procedure', () => {
      const next = expectAccepted(reach('awaiting_approval'), { type: 'APPROVE', basis: 'written_procedure' }, 'approved');
      expect(next.context.approval).to.deep.equal({ basis: 'written_procedure', meetingDate: null });
    });

    it('records a meeting with its date', () => {
      const next = expectAccepted(reach('awaiting_approval'), { type: 'APPROVE', basis: 'meeting', meetingDate: '2025-03-10' }, 'approved');
      expect(next.context.approval).to.deep.equal({ basis: 'meeting', meetingDate: '2025-03-10' });
    });

    it("is refused with basis 'meeting' and no YYYY-MM-DD meeting date", () => {
      const snapshot = reach('awaiting_approval');
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting' });
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting', meetingDate: null });
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting', meetingDate: '' });
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting', meetingDate: '10-03-2025' });
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting', meetingDate: '2025-3-10' });
      expectRefused(snapshot, { type: 'APPROVE', basis: 'meeting', meetingDate: '2025-03-10T18:00:00+01:00' });
    });

    it('is refused with an unknown basis', () => {
      const event = { type: 'APPROVE', basis: 'email' } as unknown as ConsultationMachineEvent;
      expectRefused(reach('awaiting_approval'), event);
    });
  });

  describe('SUBMIT', () => {
    it('records the submission on every channel', () => {
      for (const channel of ['email', 'portal', 'letter'] as const) {
        const next = expectAccepted(reach('approved'), { type: 'SUBMIT', channel, recipient: 'plan@aarhus.dk' }, 'submitted');
        expect(next.context.submission).to.deep.equal({ channel, recipient: 'plan@aarhus.dk', submittedAt: null });
        expect(next.context.approval).to.deep.equal({ basis: 'chair_decision', meetingDate: null });
      }
    });

    it('is refused with an unknown channel', () => {
      expectRefused(reach('approved'), { type: 'SUBMIT', channel: 'fax' } as unknown as ConsultationMachineEvent);
    });
  });

  describe('DECLINE', () => {
    it('is accepted from assigned and drafting with a trimmed reason', () => {
      for (const from of ['assigned', 'drafting'] as const) {
        const next = expectAccepted(reach(from), { type: 'DECLINE', reason: ' Uden for rådets område ' }, 'declined');
        expect(next.context.closingReason).to.equal('Uden for rådets område');
      }
    });

    it('is refused without a reason', () => {
      for (const from of ['assigned', 'drafting'] as const) {
        expectRefused(reach(from), { type: 'DECLINE', reason: '' });
        expectRefused(reach(from), { type: 'DECLINE', reason: '   ' });
      }
    });

    it('is refused from every other state, even with a reason', () => {
      for (const from of ALL_STATES.filter((state) => state !== 'assigned' && state !== 'drafting')) {
        expectRefused(reach(from), { type: 'DECLINE', reason: 'Uden for rådets område' });
      }
    });
  });

  describe('WITHDRAW', () => {
    it('is accepted from every open state with a trimmed reason', () => {
      for (const from of OPEN_STATES) {
        const next = expectAccepted(reach(from), { type: 'WITHDRAW', reason: '\tPlanen er opgivet ' }, 'withdrawn');
        expect(next.context.closingReason).to.equal('Planen er opgivet');
        expect(next.status).to.equal('done');
      }
    });

    it('is refused without a reason', () => {
      for (const from of OPEN_STATES) {
        expectRefused(reach(from), { type: 'WITHDRAW', reason: '' });
        expectRefused(reach(from), { type: 'WITHDRAW', reason: '  ' });
      }
    });

    it('is refused from the final states', () => {
      for (const from of FINAL_STATES) expectRefused(reach(from), { type: 'WITHDRAW', reason: 'Planen er opgivet' });
    });
  });

  describe('EXTEND_DEADLINE', () => {
    it('stays in the state, moves the deadline and counts the extensions, in every open state', () => {
      for (const from of OPEN_STATES) {
        const before = reach(from);
        const once = expectAccepted(before, { type: 'EXTEND_DEADLINE', deadline: LATER_DEADLINE }, from);
        expect(once.context.deadline).to.equal(LATER_DEADLINE);
        expect(once.context.extensions).to.equal(1);
        const twice = expectAccepted(once, { type: 'EXTEND_DEADLINE', deadline: EVEN_LATER_DEADLINE, note: 'Ny frist aftalt' }, from);
        expect(twice.context.deadline).to.equal(EVEN_LATER_DEADLINE);
        expect(twice.context.extensions).to.equal(2);
        // Nothing else in the context changes.
        expect({ ...twice.context, deadline: DEADLINE, extensions: 0 }).to.deep.equal(before.context);
      }
    });

    it('is refused when the new deadline is not later', () => {
      for (const from of OPEN_STATES) {
        const snapshot = reach(from);
        expectRefused(snapshot, { type: 'EXTEND_DEADLINE', deadline: DEADLINE });
        // The same instant written in another offset is not later either.
        expectRefused(snapshot, { type: 'EXTEND_DEADLINE', deadline: '2025-03-14T11:00:00Z' });
        expectRefused(snapshot, { type: 'EXTEND_DEADLINE', deadline: '2025-03-01T12:00:00+01:00' });
        expectRefused(snapshot, { type: 'EXTEND_DEADLINE', deadline: 'næste fredag' });
        expectRefused(snapshot, { type: 'EXTEND_DEADLINE', deadline: '' });
      }
    });

    it('compares with the current deadline, not the first one', () => {
      const extended = send(reach('drafting'), { type: 'EXTEND_DEADLINE', deadline: EVEN_LATER_DEADLINE });
      expectRefused(extended, { type: 'EXTEND_DEADLINE', deadline: LATER_DEADLINE });
    });

    it('is refused in the final states', () => {
      for (const from of FINAL_STATES) expectRefused(reach(from), { type: 'EXTEND_DEADLINE', deadline: '2099-12-31T12:00:00Z' });
    });
  });

  describe('written procedure', () => {
    const running = (voters = VOTERS, quorumPercent = 50) => send(reach('awaiting_approval'), startProcedure(voters, quorumPercent));

    it('starts on the current draft with its voters and no votes, and freezes the draft', () => {
      const snapshot = running();
      const procedure = snapshot.context.writtenProcedure!;
      expect(procedure).to.include({ number: 1, draftNumber: 1, quorumPercent: 50, outcome: null, closesAt: CLOSES_AT });
      expect(procedure.voters).to.deep.equal(VOTERS);
      expect(procedure.votes).to.deep.equal({});
      expectRefused(snapshot, draftEvent(2));
    });

    it('refuses a start that closes at or after the deadline, before it starts, or without voters', () => {
      const awaiting = reach('awaiting_approval');
      expectRefused(awaiting, { ...startProcedure(), closesAt: DEADLINE } as ConsultationMachineEvent);
      expectRefused(awaiting, { ...startProcedure(), closesAt: STARTED_AT } as ConsultationMachineEvent);
      expectRefused(awaiting, startProcedure([]));
      expectRefused(awaiting, startProcedure([11, 11]));
      expectRefused(awaiting, startProcedure(VOTERS, 0));
    });

    it('counts the last vote of each voter, and refuses votes from others, after closing time, or a disagree without a comment', () => {
      let snapshot = send(running(), vote(11, 'disagree'));
      snapshot = send(snapshot, vote(11, 'agree'));
      expect(snapshot.context.writtenProcedure!.votes['11']).to.deep.equal({ vote: 'agree', comment: null, at: BEFORE_CLOSING });
      expectRefused(snapshot, vote(99, 'agree'));
      expectRefused(snapshot, vote(12, 'agree', CLOSES_AT));
      expectRefused(snapshot, { type: 'CAST_VOTE', voter: 12, vote: 'disagree', comment: '  ', at: BEFORE_CLOSING });
    });

    it('does not close before its time while someone has not voted', () => {
      expectRefused(send(running(), vote(11, 'agree')), closeEarly);
    });

    it('closes early when everyone has voted, and approves when agree outnumbers disagree', () => {
      const voted = sendAll(running(), [vote(11, 'agree'), vote(12, 'agree'), vote(13, 'disagree')]);
      const approved = expectAccepted(voted, closeEarly, 'approved');
      expect(approved.context.approval).to.deep.equal({
        basis: 'written_procedure',
        meetingDate: null,
        tally: { agree: 2, disagree: 1, abstain: 0, notVoted: 0 },
      });
      expect(approved.context.writtenProcedure).to.include({ outcome: 'approved', closedAt: BEFORE_CLOSING });
      checkInvariants(approved);
    });

    it('a tie is no approval: back to drafting with the objections shown like the chair’s comments', () => {
      const voted = sendAll(running([11, 12]), [vote(11, 'agree'), vote(12, 'disagree')]);
      const back = expectAccepted(voted, closeEarly, 'drafting');
      expect(back.context.writtenProcedure!.outcome).to.equal('not_approved');
      expect(back.context.approval).to.equal(null);
      expect(back.context.changesRequested).to.contain('for 1, imod 1').and.contain('Medlem 12 er uenig i afsnit 2');
    });

    it('needs the quorum to take part: one of three agreeing is no approval at 50 %, but is at 33 %', () => {
      expectAccepted(send(running(), vote(11, 'agree')), closeAtTime, 'drafting');
      expectAccepted(send(running(VOTERS, 33), vote(11, 'agree')), closeAtTime, 'approved');
      // Abstaining takes part: two of three took part, one agreed, none disagreed.
      const approved = expectAccepted(sendAll(running(), [vote(11, 'agree'), vote(12, 'abstain')]), closeAtTime, 'approved');
      expect(approved.context.approval!.tally).to.deep.equal({ agree: 1, disagree: 0, abstain: 1, notVoted: 1 });
    });

    it('closing with nobody voting is no approval', () => {
      const back = expectAccepted(running(), closeAtTime, 'drafting');
      expect(back.context.changesRequested).to.contain('stemte ikke 3');
    });

    it('is cancelled with a reason, back to awaiting approval, and can start again as number 2', () => {
      expectRefused(running(), { type: 'CANCEL_WRITTEN_PROCEDURE', reason: ' ' });
      const cancelled = expectAccepted(running(), { type: 'CANCEL_WRITTEN_PROCEDURE', reason: ' Tages op på mødet ' }, 'awaiting_approval');
      expect(cancelled.context.writtenProcedure).to.include({ outcome: 'cancelled', cancelReason: 'Tages op på mødet' });
      expectRefused(cancelled, vote(11, 'agree'));
      expectRefused(cancelled, closeAtTime);
      expect(send(cancelled, startProcedure()).context.writtenProcedure).to.include({ number: 2, outcome: null });
    });

    it('a closed procedure takes no more votes and does not close again', () => {
      const approved = send(sendAll(running(), [vote(11, 'agree'), vote(12, 'agree'), vote(13, 'agree')]), closeEarly);
      expectRefused(approved, vote(11, 'disagree'));
      expectRefused(approved, closeAtTime);
    });
  });

  describe('final states', () => {
    for (const state of FINAL_STATES) {
      it(`${state} accepts nothing`, () => {
        const snapshot = reach(state);
        expect(snapshot.status).to.equal('done');
        for (const type of ALL_EVENT_TYPES) expectRefused(snapshot, validEvent(type, snapshot));
      });
    }
  });
});
