import { expect } from 'chai';
import { transition } from 'xstate';
import {
  consultationMachine,
  nextSnapshot,
  persistSnapshot,
  restoreSnapshot,
  STATES,
  type ConsultationContext,
  type ConsultationMachineEvent,
} from '../../workflows/consultation.machine.ts';

const CONTEXTS: ConsultationContext[] = [
  {
    council: null,
    assignee: null,
    deadline: '2026-03-14T12:00:00+01:00',
    draftNumber: 0,
    draftEmpty: true,
    changesRequested: null,
    approval: null,
    submission: null,
    closingReason: null,
    extensions: 0,
  },
  {
    council: 'naestved',
    assignee: 'mette@example.dk',
    deadline: '2026-03-14T12:00:00+01:00',
    draftNumber: 2,
    draftEmpty: false,
    changesRequested: 'Mere om sprog',
    approval: null,
    submission: null,
    closingReason: null,
    extensions: 1,
  },
];

// Valid and invalid payloads, so guards that pass and guards that fail are both compared.
const EVENTS: ConsultationMachineEvent[] = [
  { type: 'ASSIGN', council: 'naestved', assignee: null },
  { type: 'ASSIGN', council: ' ' },
  { type: 'START_DRAFTING' },
  { type: 'SAVE_DRAFT', draftNumber: 3, empty: false },
  { type: 'SAVE_DRAFT', draftNumber: 1, empty: false },
  { type: 'SUBMIT_FOR_APPROVAL' },
  { type: 'REQUEST_CHANGES', comment: ' Skriv mere ' },
  { type: 'REQUEST_CHANGES', comment: '' },
  { type: 'APPROVE', basis: 'meeting', meetingDate: '2026-03-04' },
  { type: 'APPROVE', basis: 'meeting', meetingDate: null },
  { type: 'SUBMIT', channel: 'email', recipient: 'bu@naestved.dk', submittedAt: '2026-03-05' },
  { type: 'DECLINE', reason: 'Uden for rådets område' },
  { type: 'WITHDRAW', reason: 'Trukket' },
  { type: 'EXTEND_DEADLINE', deadline: '2026-04-14T12:00:00+02:00', note: null },
  { type: 'EXTEND_DEADLINE', deadline: '2026-03-01T12:00:00+01:00' },
];

describe('nextSnapshot (transition with a shared inert scope)', () => {
  it('gives the same snapshot as xstate transition() for every state, context and event', () => {
    let compared = 0;
    for (const value of STATES) {
      for (const context of CONTEXTS) {
        for (const event of EVENTS) {
          const snapshot = restoreSnapshot({ value, context }, 1);
          const [expected] = transition(consultationMachine, snapshot, event);
          const actual = nextSnapshot(snapshot, event);
          expect(persistSnapshot(actual), `${value} + ${event.type}`).to.deep.equal(persistSnapshot(expected));
          expect(actual.status).to.equal(expected.status);
          compared++;
        }
      }
    }
    expect(compared).to.equal(STATES.length * CONTEXTS.length * EVENTS.length);
  });

  it('does not carry anything from one call to the next', () => {
    const snapshot = restoreSnapshot({ value: 'drafting', context: CONTEXTS[1]! }, 1);
    const first = nextSnapshot(snapshot, { type: 'SAVE_DRAFT', draftNumber: 3, empty: false });
    const second = nextSnapshot(snapshot, { type: 'SAVE_DRAFT', draftNumber: 4, empty: true });
    expect(first.context).to.include({ draftNumber: 3, draftEmpty: false });
    expect(second.context).to.include({ draftNumber: 4, draftEmpty: true });
    expect(snapshot.context.draftNumber).to.equal(2);
  });
});
