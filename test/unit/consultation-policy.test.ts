import { expect } from 'chai';
import { initialTransition, transition } from 'xstate';
import type { Actor } from '../../src/domain/access/actor.ts';
import type { Role } from '../../src/db/types.ts';
import type { UserCouncil } from '../../src/db/repositories/users.ts';
import {
  mayActorReadInternals,
  mayActorRecordMeetingDecision,
  mayActorSend,
  timelineEntryForOutsiders,
} from '../../src/domain/consultations/policy.ts';
import { allowedEventsFor } from '../../src/domain/consultations/service.ts';
import {
  consultationMachine,
  EVENT_TYPES,
  type ConsultationMachineEvent,
  type ConsultationSnapshot,
  type ConsultationState,
  type UserEventType,
} from '../../workflows/consultation.machine.ts';

const COUNCIL = 11;
const OTHER_COUNCIL = 12;

function membership(councilId: number, role: Role): UserCouncil {
  return {
    councilId,
    slug: councilId === COUNCIL ? 'integrationsraadet-aarhus' : 'integrationsraadet-odense',
    name: councilId === COUNCIL ? 'Integrationsrådet i Aarhus' : 'Integrationsrådet i Odense',
    municipality: councilId === COUNCIL ? 'Aarhus' : 'Odense',
    role,
    title: null,
  };
}

let nextUserId = 100;
function actor(name: string, isAdmin: boolean, councils: UserCouncil[]): Actor {
  const userId = nextUserId++;
  return { userId, email: `${name}@example.dk`, name, isAdmin, councils };
}

const PERSONAS = {
  secretary: actor('sekretaer', false, [membership(COUNCIL, 'secretary')]),
  chair: actor('formand', false, [membership(COUNCIL, 'chair')]),
  member: actor('medlem', false, [membership(COUNCIL, 'member')]),
  staff: actor('forvaltning', false, [membership(COUNCIL, 'staff')]),
  admin: actor('admin', true, []),
  otherSecretary: actor('sekretaer-odense', false, [membership(OTHER_COUNCIL, 'secretary')]),
  otherChair: actor('formand-odense', false, [membership(OTHER_COUNCIL, 'chair')]),
} satisfies Record<string, Actor>;
type Persona = keyof typeof PERSONAS;
const PERSONA_NAMES = Object.keys(PERSONAS) as Persona[];

/** Who may send what on a consultation of COUNCIL, written out by hand from the specification. */
const MAY_SEND: Record<UserEventType, readonly Persona[]> = {
  ASSIGN: ['secretary', 'admin'],
  START_DRAFTING: ['secretary'],
  SUBMIT_FOR_APPROVAL: ['secretary'],
  REQUEST_CHANGES: ['chair'],
  APPROVE: ['chair'],
  SUBMIT: ['secretary', 'chair'],
  DECLINE: ['chair'],
  WITHDRAW: ['secretary', 'admin'],
  EXTEND_DEADLINE: ['secretary'],
  START_WRITTEN_PROCEDURE: ['secretary', 'chair'],
  CANCEL_WRITTEN_PROCEDURE: ['secretary', 'chair'],
};

const DEADLINE = '2025-09-01T12:00:00+02:00';

function send(snapshot: ConsultationSnapshot, event: ConsultationMachineEvent): ConsultationSnapshot {
  return transition(consultationMachine, snapshot, event)[0];
}

/** Snapshots in each state; 'drafting' has no draft yet. */
function snapshots(): Record<ConsultationState, ConsultationSnapshot> {
  const [received] = initialTransition(consultationMachine, { deadline: DEADLINE });
  const assigned = send(received, { type: 'ASSIGN', council: 'integrationsraadet-aarhus' });
  const drafting = send(assigned, { type: 'START_DRAFTING' });
  const awaiting = send(send(drafting, { type: 'SAVE_DRAFT', draftNumber: 1, empty: false }), { type: 'SUBMIT_FOR_APPROVAL' });
  const approved = send(awaiting, { type: 'APPROVE', basis: 'chair_decision' });
  const all: Record<ConsultationState, ConsultationSnapshot> = {
    received,
    assigned,
    drafting,
    awaiting_approval: awaiting,
    written_procedure: send(awaiting, {
      type: 'START_WRITTEN_PROCEDURE',
      startedAt: '2025-08-25T09:00:00+02:00',
      closesAt: '2025-08-27T12:00:00+02:00',
      voters: [1, 2],
      quorumPercent: 50,
    }),
    approved,
    submitted: send(approved, { type: 'SUBMIT', channel: 'email' }),
    declined: send(assigned, { type: 'DECLINE', reason: 'Ikke relevant' }),
    withdrawn: send(received, { type: 'WITHDRAW', reason: 'Trukket tilbage' }),
  };
  for (const [state, snapshot] of Object.entries(all)) expect(snapshot.value, state).to.equal(state);
  return all;
}

describe('consultation role policy', () => {
  it('covers every event type a person can send', () => {
    expect([...EVENT_TYPES]).to.have.members(Object.keys(MAY_SEND));
  });

  describe('mayActorSend on a consultation of the council', () => {
    for (const persona of PERSONA_NAMES) {
      for (const type of EVENT_TYPES) {
        const expected = MAY_SEND[type].includes(persona);
        it(`${persona} ${expected ? 'may' : 'may not'} send ${type}`, () => {
          expect(mayActorSend(PERSONAS[persona], type, COUNCIL)).to.equal(expected);
        });
      }
    }
  });

  describe('mayActorSend, other cases', () => {
    it('members and staff never may send anything, in any council', () => {
      for (const type of EVENT_TYPES) {
        for (const councilId of [COUNCIL, OTHER_COUNCIL, null]) {
          expect(mayActorSend(PERSONAS.member, type, councilId), `member ${type} ${councilId}`).to.equal(false);
          expect(mayActorSend(PERSONAS.staff, type, councilId), `staff ${type} ${councilId}`).to.equal(false);
        }
      }
    });

    it('a role counts only in its own council', () => {
      const both = actor('to-raad', false, [membership(COUNCIL, 'chair'), membership(OTHER_COUNCIL, 'secretary')]);
      for (const type of EVENT_TYPES) {
        expect(mayActorSend(both, type, COUNCIL), `${type} in the chair's council`).to.equal(MAY_SEND[type].includes('chair'));
        expect(mayActorSend(both, type, OTHER_COUNCIL), `${type} in the secretary's council`).to.equal(MAY_SEND[type].includes('secretary'));
      }
    });

    it('a council member who is also an administrator gets the administrator rights on top', () => {
      const adminMember = actor('admin-medlem', true, [membership(COUNCIL, 'member')]);
      for (const type of EVENT_TYPES) {
        expect(mayActorSend(adminMember, type, COUNCIL), type).to.equal(type === 'ASSIGN' || type === 'WITHDRAW');
      }
    });

    it('with no council, only an administrator may ASSIGN or WITHDRAW', () => {
      for (const persona of PERSONA_NAMES) {
        for (const type of EVENT_TYPES) {
          const expected = persona === 'admin' && (type === 'ASSIGN' || type === 'WITHDRAW');
          expect(mayActorSend(PERSONAS[persona], type, null), `${persona} ${type}`).to.equal(expected);
        }
      }
    });
  });

  it("mayActorRecordMeetingDecision: only APPROVE and REQUEST_CHANGES, by the council's secretary, chair or an admin", () => {
    for (const type of EVENT_TYPES as readonly UserEventType[]) {
      const may = PERSONA_NAMES.filter((p) => mayActorRecordMeetingDecision(PERSONAS[p], type, COUNCIL));
      expect(may, type).to.deep.equal(type === 'APPROVE' || type === 'REQUEST_CHANGES' ? ['secretary', 'chair', 'admin'] : []);
    }
  });

  describe('allowedEventsFor', () => {
    const byState = snapshots();

    it('a chair awaiting approval gets exactly REQUEST_CHANGES, APPROVE and START_WRITTEN_PROCEDURE', () => {
      expect(allowedEventsFor(PERSONAS.chair, byState.awaiting_approval, COUNCIL)).to.have.members([
        'REQUEST_CHANGES',
        'APPROVE',
        'START_WRITTEN_PROCEDURE',
      ]);
    });

    it('a secretary awaiting approval gets exactly WITHDRAW, EXTEND_DEADLINE and START_WRITTEN_PROCEDURE', () => {
      expect(allowedEventsFor(PERSONAS.secretary, byState.awaiting_approval, COUNCIL)).to.have.members([
        'WITHDRAW',
        'EXTEND_DEADLINE',
        'START_WRITTEN_PROCEDURE',
      ]);
    });

    it('a secretary in drafting gets SUBMIT_FOR_APPROVAL only after a non-empty draft', () => {
      const noDraft = byState.drafting;
      expect(allowedEventsFor(PERSONAS.secretary, noDraft, COUNCIL)).to.have.members(['WITHDRAW', 'EXTEND_DEADLINE']);
      const emptyDraft = send(noDraft, { type: 'SAVE_DRAFT', draftNumber: 1, empty: true });
      expect(allowedEventsFor(PERSONAS.secretary, emptyDraft, COUNCIL)).to.not.include('SUBMIT_FOR_APPROVAL');
      const draft = send(emptyDraft, { type: 'SAVE_DRAFT', draftNumber: 2, empty: false });
      expect(allowedEventsFor(PERSONAS.secretary, draft, COUNCIL)).to.have.members(['SUBMIT_FOR_APPROVAL', 'WITHDRAW', 'EXTEND_DEADLINE']);
    });

    // For a consultation of COUNCIL: the actions each persona sees in each state, by hand.
    const EXPECTED: Record<ConsultationState, Partial<Record<Persona, UserEventType[]>>> = {
      received: { secretary: ['ASSIGN', 'WITHDRAW', 'EXTEND_DEADLINE'], admin: ['ASSIGN', 'WITHDRAW'] },
      assigned: { secretary: ['START_DRAFTING', 'WITHDRAW', 'EXTEND_DEADLINE'], chair: ['DECLINE'], admin: ['WITHDRAW'] },
      drafting: { secretary: ['WITHDRAW', 'EXTEND_DEADLINE'], chair: ['DECLINE'], admin: ['WITHDRAW'] },
      awaiting_approval: {
        secretary: ['WITHDRAW', 'EXTEND_DEADLINE', 'START_WRITTEN_PROCEDURE'],
        chair: ['REQUEST_CHANGES', 'APPROVE', 'START_WRITTEN_PROCEDURE'],
        admin: ['WITHDRAW'],
      },
      // Votes are cast through their own endpoint; the procedure closes by itself.
      written_procedure: {
        secretary: ['WITHDRAW', 'EXTEND_DEADLINE', 'CANCEL_WRITTEN_PROCEDURE'],
        chair: ['CANCEL_WRITTEN_PROCEDURE'],
        admin: ['WITHDRAW'],
      },
      approved: { secretary: ['SUBMIT', 'WITHDRAW', 'EXTEND_DEADLINE'], chair: ['SUBMIT'], admin: ['WITHDRAW'] },
      submitted: {},
      declined: {},
      withdrawn: {},
    };

    for (const [state, row] of Object.entries(EXPECTED) as Array<[ConsultationState, Partial<Record<Persona, UserEventType[]>>]>) {
      it(`in ${state}, every persona gets exactly its events`, () => {
        for (const persona of PERSONA_NAMES) {
          expect(allowedEventsFor(PERSONAS[persona], byState[state], COUNCIL), persona).to.have.members(row[persona] ?? []);
        }
      });
    }

    it('staff and members get nothing in any state, with or without a council', () => {
      for (const [state, snapshot] of Object.entries(byState)) {
        for (const councilId of [COUNCIL, null]) {
          expect(allowedEventsFor(PERSONAS.staff, snapshot, councilId), `staff ${state} ${councilId}`).to.deep.equal([]);
          expect(allowedEventsFor(PERSONAS.member, snapshot, councilId), `member ${state} ${councilId}`).to.deep.equal([]);
        }
      }
    });

    it('an unassigned consultation may be assigned by any secretary or an administrator', () => {
      const received = byState.received;
      expect(allowedEventsFor(PERSONAS.secretary, received, null)).to.have.members(['ASSIGN']);
      expect(allowedEventsFor(PERSONAS.otherSecretary, received, null)).to.have.members(['ASSIGN']);
      expect(allowedEventsFor(PERSONAS.admin, received, null)).to.have.members(['ASSIGN', 'WITHDRAW']);
      expect(allowedEventsFor(PERSONAS.chair, received, null)).to.deep.equal([]);
      expect(allowedEventsFor(PERSONAS.otherChair, received, null)).to.deep.equal([]);
    });

    it('offers EXTEND_DEADLINE after earlier extensions too', () => {
      const extended = send(byState.drafting, { type: 'EXTEND_DEADLINE', deadline: '2025-09-15T12:00:00+02:00' });
      expect(extended.context.extensions).to.equal(1);
      expect(allowedEventsFor(PERSONAS.secretary, extended, COUNCIL)).to.include('EXTEND_DEADLINE');
    });
  });

  describe('mayActorReadInternals (drafts, versions, comments, previews, the chair’s comments)', () => {
    // Written out by hand: the council's own people and admins; never staff, never another council.
    // A consultation of a council, registered by someone else than every persona.
    const ofCouncil = (councilId: number) => ({ council_id: councilId, created_by: 1 });
    const MAY_READ: Record<Persona, boolean> = {
      secretary: true,
      chair: true,
      member: true,
      staff: false,
      admin: true,
      otherSecretary: false,
      otherChair: false,
    };
    for (const persona of PERSONA_NAMES) {
      it(`${persona} ${MAY_READ[persona] ? 'may' : 'may not'} read the internals of the council`, () => {
        expect(mayActorReadInternals(PERSONAS[persona], ofCouncil(COUNCIL))).to.equal(MAY_READ[persona]);
      });
    }

    it('staff of one council who sit as members of another read only that other council’s internals', () => {
      const both = actor('forvaltning-og-medlem', false, [membership(COUNCIL, 'staff'), membership(OTHER_COUNCIL, 'member')]);
      expect(mayActorReadInternals(both, ofCouncil(COUNCIL))).to.equal(false);
      expect(mayActorReadInternals(both, ofCouncil(OTHER_COUNCIL))).to.equal(true);
    });

    it('an unassigned consultation is read whole by whoever registered it and admins, by no one else', () => {
      const unassigned = { council_id: null, created_by: PERSONAS.secretary.userId };
      for (const persona of PERSONA_NAMES) {
        expect(mayActorReadInternals(PERSONAS[persona], unassigned), persona).to.equal(persona === 'admin' || persona === 'secretary');
      }
    });
  });

  describe('timelineEntryForOutsiders', () => {
    const cases: Array<[type: string, from: string | null, to: string, shown: ReturnType<typeof timelineEntryForOutsiders>]> = [
      ['REGISTERED', null, 'received', 'withoutComment'],
      ['SAVE_DRAFT', 'drafting', 'drafting', 'hidden'],
      ['REQUEST_CHANGES', 'awaiting_approval', 'drafting', 'withoutComment'],
      ['APPROVE', 'awaiting_approval', 'approved', 'withoutComment'],
      ['SUBMIT', 'approved', 'submitted', 'withoutComment'],
      ['DECLINE', 'assigned', 'declined', 'whole'],
      ['WITHDRAW', 'drafting', 'withdrawn', 'whole'],
      ['EXTEND_DEADLINE', 'drafting', 'drafting', 'whole'],
      ['MAIL_DELIVERED', 'submitted', 'submitted', 'withoutComment'],
      ['MAIL_FAILED', 'submitted', 'submitted', 'withoutComment'],
    ];
    for (const [type, from, to, shown] of cases) {
      it(`${type} (${from ?? '–'} → ${to}) shows ${shown}`, () => {
        expect(timelineEntryForOutsiders({ type, from, to })).to.equal(shown);
      });
    }
  });
});
