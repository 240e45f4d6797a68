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

const ALL_STATES: ConsultationState[] = ['received', 'assigned', 'drafting', 'awaiting_approval', 'approved', 'submitted', 'declined', 'withdrawn'];
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
];

/** The transition table, written out independently of the machine: state → event → target. */
const TABLE: Record<ConsultationState, Partial<Record<EventType, ConsultationState>>> = {
  received: { ASSIGN: 'assigned', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'received' },
  assigned: { START_DRAFTING: 'drafting', DECLINE: 'declined', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'assigned' },
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
    WITHDRAW: 'withdrawn',
    EXTEND_DEADLINE: 'awaiting_approval',
  },
  approved: { SUBMIT: 'submitted', WITHDRAW: 'withdrawn', EXTEND_DEADLINE: 'approved' },
  submitted: {},
  declined: {},
  withdrawn: {},
};

const TABLE_TRIPLES = Object.entries(TABLE).flatMap(([from, row]) => Object.entries(row).map(([event, to]) => `${from} --${event}--> ${to}`));

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
  if (context.extensions === 0) expect(context.deadline, label).to.equal(DEADLINE);
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
  if (state === 'declined' || state === 'withdrawn') {
    expect(context.closingReason, label).to.be.a('string');
    expect(context.closingReason?.trim(), label).to.equal(context.closingReason).and.not.equal('');
    expect(context.submission, label).to.equal(null);
  }
}

describe('consultation machine', () => {
  it('lists the states and events the tests were written against', () => {
    expect([...STATES]).to.deep.equal(ALL_STATES);
    expect([...EVENT_TYPES]).to.deep.equal(ALL_EVENT_TYPES.filter((type) => type !== 'SAVE_DRAFT'));
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

    it('the shortest paths reach all 8 states and end in each of them', () => {
      expect([...reachedStates(shortestPaths)]).to.have.members(ALL_STATES);
      expect([...new Set(shortestPaths.map((path) => String(path.state.value)))]).to.have.members(ALL_STATES);
    });

    it('the shortest paths take every transition in the table, and no other', () => {
      expect([...takenTransitions(shortestPaths)]).to.have.members(TABLE_TRIPLES);
    });

    it('the simple paths reach all 8 states and take every transition in the table but EXTEND_DEADLINE, and no other', () => {
      expect(simplePaths.length).to.be.greaterThan(shortestPaths.length);
      expect([...reachedStates(simplePaths)]).to.have.members(ALL_STATES);
      expect([...takenTransitions(simplePaths)]).to.have.members(TABLE_TRIPLES.filter((triple) => !triple.includes('--EXTEND_DEADLINE-->')));
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
        if (didChange) expect(TABLE[state.value][event.type], label).to.equal(nextState.value);
      }
      expect([...accepted]).to.have.members(ALL_EVENT_TYPES);
      // Guards the model runs into: no draft yet, a deadline already extended to LATER_DEADLINE.
      expect([...refused]).to.include.members(['SUBMIT_FOR_APPROVAL', 'EXTEND_DEADLINE']);
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

  describe('the transition table', () => {
    for (const from of ALL_STATES) {
      for (const type of ALL_EVENT_TYPES) {
        const target = TABLE[from][type];
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
