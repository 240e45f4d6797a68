import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { initialTransition, transition } from 'xstate';
import {
  consultationMachine,
  MACHINE_VERSION,
  persistSnapshot,
  restoreSnapshot,
  upgradeSnapshot,
  type ConsultationMachineEvent,
  type ConsultationSnapshot,
  type PersistedConsultation,
} from '../../workflows/consultation.machine.ts';

const FIXTURE_URL = new URL('../fixtures/snapshots/v1-awaiting-approval.json', import.meta.url);

/** A fresh copy of the committed fixture: a snapshot stored by machine version 1. */
function loadFixture(): PersistedConsultation {
  return JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as PersistedConsultation;
}

function send(snapshot: ConsultationSnapshot, event: ConsultationMachineEvent): ConsultationSnapshot {
  return transition(consultationMachine, snapshot, event)[0];
}

function sendAll(snapshot: ConsultationSnapshot, events: ConsultationMachineEvent[]): ConsultationSnapshot {
  return events.reduce(send, snapshot);
}

/** One payload of each event type, valid wherever the event is allowed at all. */
const probeEvents = (snapshot: ConsultationSnapshot): ConsultationMachineEvent[] => [
  { type: 'ASSIGN', council: 'handicapraadet' },
  { type: 'START_DRAFTING' },
  { type: 'SAVE_DRAFT', draftNumber: snapshot.context.draftNumber + 1, empty: false },
  { type: 'SUBMIT_FOR_APPROVAL' },
  { type: 'REQUEST_CHANGES', comment: 'Kortere, tak' },
  { type: 'APPROVE', basis: 'written_procedure' },
  { type: 'SUBMIT', channel: 'letter' },
  { type: 'DECLINE', reason: 'Ikke relevant' },
  { type: 'WITHDRAW', reason: 'Trukket tilbage' },
  { type: 'EXTEND_DEADLINE', deadline: '2099-01-01T12:00:00+01:00' },
];

describe('snapshot persistence and restore', () => {
  describe('a snapshot stored by machine version 1', () => {
    it('is an older-style snapshot without extensions, closingReason and submission', () => {
      const fixture = loadFixture();
      expect(fixture.value).to.equal('awaiting_approval');
      expect(fixture.context).to.not.have.any.keys('extensions', 'closingReason', 'submission');
    });

    it('restores with the missing fields filled with their defaults', () => {
      const snapshot = restoreSnapshot(loadFixture(), 1);
      expect(snapshot.value).to.equal('awaiting_approval');
      expect(snapshot.status).to.equal('active');
      expect(snapshot.context).to.deep.equal({
        council: 'integrationsraadet-aarhus',
        assignee: 'sekretaer@aarhus.dk',
        deadline: '2024-11-15T12:00:00+01:00',
        draftNumber: 3,
        draftEmpty: false,
        changesRequested: null,
        approval: null,
        submission: null,
        closingReason: null,
        extensions: 0,
        writtenProcedure: null,
      });
    });

    it('does not change the stored object', () => {
      const fixture = loadFixture();
      restoreSnapshot(fixture, 1);
      expect(fixture).to.deep.equal(loadFixture());
      expect(fixture.context).to.not.have.property('extensions');
    });

    it('answers can() for its state', () => {
      const snapshot = restoreSnapshot(loadFixture(), 1);
      const can = Object.fromEntries(probeEvents(snapshot).map((event) => [event.type, snapshot.can(event)]));
      expect(can).to.deep.equal({
        ASSIGN: false,
        START_DRAFTING: false,
        SAVE_DRAFT: false,
        SUBMIT_FOR_APPROVAL: false,
        REQUEST_CHANGES: true,
        APPROVE: true,
        SUBMIT: false,
        DECLINE: false,
        WITHDRAW: true,
        EXTEND_DEADLINE: true,
      });
    });

    it('continues through approval to submission', () => {
      const restored = restoreSnapshot(loadFixture(), 1);
      const approved = send(restored, { type: 'APPROVE', basis: 'meeting', meetingDate: '2024-11-12' });
      expect(approved.value).to.equal('approved');
      const submitted = send(approved, { type: 'SUBMIT', channel: 'email', recipient: 'borgerservice@aarhus.dk' });
      expect(submitted.value).to.equal('submitted');
      expect(submitted.status).to.equal('done');
      expect(submitted.context.approval).to.deep.equal({ basis: 'meeting', meetingDate: '2024-11-12' });
      expect(submitted.context.submission).to.deep.equal({ channel: 'email', recipient: 'borgerservice@aarhus.dk', submittedAt: null });
    });

    it('counts a deadline extension from the default 0', () => {
      const extended = send(restoreSnapshot(loadFixture(), 1), { type: 'EXTEND_DEADLINE', deadline: '2024-11-29T12:00:00+01:00' });
      expect(extended.value).to.equal('awaiting_approval');
      expect(extended.context.extensions).to.equal(1);
      expect(extended.context.deadline).to.equal('2024-11-29T12:00:00+01:00');
    });

    it('goes back to drafting and on from its stored draft number', () => {
      const drafting = send(restoreSnapshot(loadFixture(), 1), { type: 'REQUEST_CHANGES', comment: 'Nævn sprogcentret' });
      expect(drafting.value).to.equal('drafting');
      expect(drafting.context.changesRequested).to.equal('Nævn sprogcentret');
      expect(drafting.can({ type: 'SAVE_DRAFT', draftNumber: 3, empty: false })).to.equal(false);
      const resubmitted = sendAll(drafting, [{ type: 'SAVE_DRAFT', draftNumber: 4, empty: false }, { type: 'SUBMIT_FOR_APPROVAL' }]);
      expect(resubmitted.value).to.equal('awaiting_approval');
      expect(resubmitted.context.draftNumber).to.equal(4);
      expect(resubmitted.context.changesRequested).to.equal(null);
    });

    it('can be withdrawn, after which it accepts nothing', () => {
      const withdrawn = send(restoreSnapshot(loadFixture(), 1), { type: 'WITHDRAW', reason: 'Forslaget er opgivet' });
      expect(withdrawn.value).to.equal('withdrawn');
      expect(withdrawn.context.closingReason).to.equal('Forslaget er opgivet');
      for (const event of probeEvents(withdrawn)) expect(withdrawn.can(event), event.type).to.equal(false);
    });
  });

  describe('upgradeSnapshot', () => {
    it('keeps stored values over the defaults', () => {
      const stored: PersistedConsultation = {
        value: 'withdrawn',
        context: {
          council: 'aeldreraadet',
          assignee: null,
          deadline: '2024-06-01T12:00:00+02:00',
          draftNumber: 2,
          draftEmpty: false,
          changesRequested: 'Tilføj tal',
          approval: null,
          submission: null,
          closingReason: 'Sagen er bortfaldet',
          extensions: 2,
          writtenProcedure: null,
        },
      };
      const upgraded = upgradeSnapshot(stored, 1);
      expect(upgraded).to.deep.equal(stored);
      const restored = restoreSnapshot(stored, 1);
      expect(restored.value).to.equal('withdrawn');
      expect(restored.status).to.equal('done');
      expect(restored.context).to.deep.equal(stored.context);
    });
  });

  describe('a snapshot from a newer machine version', () => {
    it('is refused by restoreSnapshot', () => {
      expect(MACHINE_VERSION).to.be.a('number');
      expect(() => restoreSnapshot(loadFixture(), MACHINE_VERSION + 1)).to.throw(Error, /newer/);
      expect(() => restoreSnapshot(loadFixture(), MACHINE_VERSION + 7)).to.throw(Error, new RegExp(`version ${MACHINE_VERSION + 7}`));
    });

    it('is refused by upgradeSnapshot', () => {
      expect(() => upgradeSnapshot(loadFixture(), MACHINE_VERSION + 1)).to.throw(Error, /newer/);
    });

    it('while the current version restores', () => {
      expect(restoreSnapshot(loadFixture(), MACHINE_VERSION).value).to.equal('awaiting_approval');
    });
  });

  it('a stored state the machine does not know is refused', () => {
    const corrupt = { ...loadFixture(), value: 'archived' } as unknown as PersistedConsultation;
    expect(() => restoreSnapshot(corrupt, 1)).to.throw();
  });

  describe('persistSnapshot → JSON → restoreSnapshot', () => {
    const [initial] = initialTransition(consultationMachine, { deadline: '2025-05-01T12:00:00+02:00' });
    const assigned = send(initial, { type: 'ASSIGN', council: 'integrationsraadet-odense', assignee: 'sek@odense.dk' });
    const drafting = sendAll(assigned, [
      { type: 'START_DRAFTING' },
      { type: 'EXTEND_DEADLINE', deadline: '2025-05-15T12:00:00+02:00' },
      { type: 'SAVE_DRAFT', draftNumber: 1, empty: true },
    ]);
    const awaiting = sendAll(drafting, [{ type: 'SAVE_DRAFT', draftNumber: 2, empty: false }, { type: 'SUBMIT_FOR_APPROVAL' }]);
    const sentBack = send(awaiting, { type: 'REQUEST_CHANGES', comment: 'Skriv om boligplaceringen' });
    const approved = sendAll(sentBack, [
      { type: 'SAVE_DRAFT', draftNumber: 3, empty: false },
      { type: 'SUBMIT_FOR_APPROVAL' },
      { type: 'APPROVE', basis: 'meeting', meetingDate: '2025-05-06' },
    ]);
    const cases: Array<[string, ConsultationSnapshot]> = [
      ['received', initial],
      ['assigned', assigned],
      ['drafting with an empty draft and an extension', drafting],
      ['awaiting_approval', awaiting],
      ['drafting after a change request', sentBack],
      ['approved at a meeting', approved],
      ['submitted', send(approved, { type: 'SUBMIT', channel: 'portal', submittedAt: '2025-05-07T10:00:00+02:00' })],
      ['declined', send(assigned, { type: 'DECLINE', reason: 'Uden for rådets område' })],
      ['withdrawn', send(awaiting, { type: 'WITHDRAW', reason: 'Trukket tilbage' })],
    ];

    it('covers every state', () => {
      expect(new Set(cases.map(([, snapshot]) => snapshot.value)).size).to.equal(8);
    });

    for (const [name, original] of cases) {
      it(`gives back an equal snapshot: ${name}`, () => {
        const persisted = persistSnapshot(original);
        expect(persisted).to.have.all.keys('value', 'context');
        const json = JSON.stringify(persisted);
        const parsed = JSON.parse(json) as PersistedConsultation;
        expect(parsed).to.deep.equal(persisted);

        const restored = restoreSnapshot(parsed, MACHINE_VERSION);
        expect(restored.value).to.equal(original.value);
        expect(restored.context).to.deep.equal(original.context);
        expect(restored.status).to.equal(original.status);
        expect(persistSnapshot(restored)).to.deep.equal(persisted);

        // It behaves like the original: same answers, same next snapshots.
        for (const event of probeEvents(original)) {
          expect(restored.can(event), event.type).to.equal(original.can(event));
          const fromRestored = send(restored, event);
          const fromOriginal = send(original, event);
          expect(fromRestored.value, event.type).to.equal(fromOriginal.value);
          expect(fromRestored.context, event.type).to.deep.equal(fromOriginal.context);
        }
      });
    }
  });
});
