import { assign, setup, type SnapshotFrom } from 'xstate';

/**
 * The life of one consultation (høring), from arrival to a final state. The machine is pure:
 * guards look only at context and event, actions only assign context. Mail, PDFs and the
 * database are the service layer's business (src/domain/consultations).
 *
 * Raise MACHINE_VERSION whenever a change would make an older persisted snapshot mean
 * something else, and teach `upgradeSnapshot` to bring the old ones forward.
 */
export const MACHINE_VERSION = 1;

export const STATES = [
  'received',
  'assigned',
  'drafting',
  'awaiting_approval',
  'written_procedure',
  'approved',
  'submitted',
  'declined',
  'withdrawn',
] as const;
export type ConsultationState = (typeof STATES)[number];

export const OPEN_STATES = ['received', 'assigned', 'drafting', 'awaiting_approval', 'written_procedure', 'approved'] as const;
export const FINAL_STATES = ['submitted', 'declined', 'withdrawn'] as const;

export const APPROVAL_BASES = ['chair_decision', 'meeting', 'written_procedure'] as const;
export type ApprovalBasis = (typeof APPROVAL_BASES)[number];
export const SUBMISSION_CHANNELS = ['email', 'portal', 'letter'] as const;
export type SubmissionChannel = (typeof SUBMISSION_CHANNELS)[number];

/** What a voter in a written procedure can answer. */
export const VOTES = ['agree', 'disagree', 'abstain'] as const;
export type Vote = (typeof VOTES)[number];

/** How a written procedure ended (null while it runs). */
export type WrittenProcedureOutcome = 'approved' | 'not_approved' | 'cancelled';

/** The count of a written procedure: the votes cast and the voters who did not vote. */
export interface WrittenProcedureTally {
  agree: number;
  disagree: number;
  abstain: number;
  notVoted: number;
}

/**
 * A written procedure (skriftlig procedure) on one draft version: the voters are fixed when it
 * starts (the council's chair and members then), each voter's last vote counts, and the council's
 * quorum (its rules of procedure) decides with the count when it closes.
 */
export interface WrittenProcedure {
  /** 1 for the consultation's first procedure, 2 for the next … (jobs and vote links name it). */
  number: number;
  startedAt: string;
  closesAt: string;
  note: string | null;
  /** The draft version voted on; the draft cannot change while the procedure runs. */
  draftNumber: number;
  /** User ids of those who vote. */
  voters: number[];
  /** Each voter's name when the procedure started, keyed by user id: the record of who was asked. */
  voterNames: Record<string, string>;
  /** The share of the voters (in per cent) that must take part for the procedure to decide. */
  quorumPercent: number;
  /** The last vote of each voter, keyed by user id. */
  votes: Record<string, { vote: Vote; comment: string | null; at: string }>;
  outcome: WrittenProcedureOutcome | null;
  closedAt: string | null;
  cancelReason: string | null;
}

export type ConsultationMachineEvent =
  | { type: 'ASSIGN'; council: string; assignee?: string | null }
  | { type: 'START_DRAFTING' }
  | { type: 'SAVE_DRAFT'; draftNumber: number; empty: boolean }
  | { type: 'SUBMIT_FOR_APPROVAL' }
  | { type: 'REQUEST_CHANGES'; comment: string }
  | { type: 'APPROVE'; basis: ApprovalBasis; meetingDate?: string | null }
  | { type: 'SUBMIT'; channel: SubmissionChannel; recipient?: string | null; submittedAt?: string | null }
  | { type: 'DECLINE'; reason: string }
  | { type: 'WITHDRAW'; reason: string }
  | { type: 'EXTEND_DEADLINE'; deadline: string; note?: string | null }
  /** The secretary confirms (or corrects) the deadline of a consultation that arrived by mail or feed: not an extension. */
  | { type: 'CONFIRM_INTAKE'; deadline: string }
  | {
      type: 'START_WRITTEN_PROCEDURE';
      startedAt: string;
      closesAt: string;
      note?: string | null;
      voters: number[];
      voterNames?: Record<string, string>;
      quorumPercent: number;
    }
  | { type: 'CAST_VOTE'; voter: number; vote: Vote; comment?: string | null; at: string }
  | { type: 'CLOSE_WRITTEN_PROCEDURE'; at: string }
  | { type: 'CANCEL_WRITTEN_PROCEDURE'; reason: string };

export type ConsultationEventType = ConsultationMachineEvent['type'];

/**
 * Events a person sends with the event form or `POST …/events`. The service sends SAVE_DRAFT when
 * a draft is saved, CAST_VOTE from the vote endpoint, CLOSE_WRITTEN_PROCEDURE when a procedure
 * closes and CONFIRM_INTAKE when a secretary confirms a consultation that arrived by itself.
 */
export const EVENT_TYPES = [
  'ASSIGN',
  'START_DRAFTING',
  'SUBMIT_FOR_APPROVAL',
  'REQUEST_CHANGES',
  'APPROVE',
  'SUBMIT',
  'DECLINE',
  'WITHDRAW',
  'EXTEND_DEADLINE',
  'START_WRITTEN_PROCEDURE',
  'CANCEL_WRITTEN_PROCEDURE',
] as const satisfies readonly ConsultationEventType[];
export type UserEventType = (typeof EVENT_TYPES)[number];

export interface ConsultationContext {
  council: string | null;
  assignee: string | null;
  /** The current deadline, ISO 8601 with offset. */
  deadline: string;
  /** The number of the newest saved response version, 0 before the first. */
  draftNumber: number;
  draftEmpty: boolean;
  /** The chair's comment when the draft was last sent back; cleared on resubmission. */
  changesRequested: string | null;
  /** How the draft was approved; a written procedure's approval carries its count. */
  approval: { basis: ApprovalBasis; meetingDate: string | null; tally?: WrittenProcedureTally } | null;
  submission: { channel: SubmissionChannel; recipient: string | null; submittedAt: string | null } | null;
  closingReason: string | null;
  extensions: number;
  /** Whether the secretary has confirmed the deadline of a consultation that arrived by itself (absent in snapshots from before intake: false). */
  intakeConfirmed?: boolean;
  /** The newest written procedure, kept with its outcome after it ends; null before the first. */
  writtenProcedure: WrittenProcedure | null;
}

export interface ConsultationInput {
  deadline: string;
  council?: string | null;
  assignee?: string | null;
}

const hasText = (value: unknown) => typeof value === 'string' && value.trim().length > 0;
const isIsoDate = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);

/**
 * The guards that decide from the consultation alone whether its state takes an event now.
 * Every other guard checks the event's payload (a reason, a channel, a later deadline): a
 * question about what is sent, not about whether the event may be sent at all, which is what
 * `acceptedEventTypes` answers. A new guard that reads only `context` belongs here.
 */
const stateGuards = {
  hasNonEmptyDraft: ({ context }: { context: ConsultationContext }) => context.draftNumber > 0 && !context.draftEmpty,
  /** The consultation's part of isUnconfirmedIntake: confirmed once, never again. */
  awaitsIntakeConfirmation: ({ context }: { context: ConsultationContext }) => !context.intakeConfirmed,
};

/** The count of a procedure's votes now. */
export function writtenProcedureTally(procedure: WrittenProcedure): WrittenProcedureTally {
  const tally: WrittenProcedureTally = { agree: 0, disagree: 0, abstain: 0, notVoted: 0 };
  for (const voter of procedure.voters) {
    const cast = procedure.votes[String(voter)];
    if (cast) tally[cast.vote] += 1;
    else tally.notVoted += 1;
  }
  return tally;
}

/** True when every voter has voted: the procedure closes then, without waiting for its time. */
export function everyoneHasVoted(procedure: WrittenProcedure): boolean {
  return procedure.voters.every((voter) => Object.hasOwn(procedure.votes, String(voter)));
}

/**
 * The closing rule (the default of a council's rules of procedure): the draft is approved when at
 * least the quorum of the voters took part (an abstention takes part) and `agree` outnumbers
 * `disagree`. A tie, or too few taking part, is no approval.
 */
export function isWrittenProcedureApproved(procedure: WrittenProcedure): boolean {
  const tally = writtenProcedureTally(procedure);
  const tookPart = tally.agree + tally.disagree + tally.abstain;
  return tookPart * 100 >= procedure.quorumPercent * procedure.voters.length && tally.agree > tally.disagree;
}

/** True when CLOSE_WRITTEN_PROCEDURE may close the running procedure: its time has come, or everyone voted. */
function closingIsDue(context: ConsultationContext, event: ConsultationMachineEvent): boolean {
  const procedure = context.writtenProcedure;
  if (event.type !== 'CLOSE_WRITTEN_PROCEDURE' || !procedure || procedure.outcome !== null) return false;
  const at = Date.parse(event.at);
  return Number.isFinite(at) && (at >= Date.parse(procedure.closesAt) || everyoneHasVoted(procedure));
}

/** What the secretary reads when a procedure did not approve the draft: the count and the voters' objections. */
function notApprovedComment(procedure: WrittenProcedure): string {
  const t = writtenProcedureTally(procedure);
  const count = `for ${t.agree}, imod ${t.disagree}, hverken for eller imod ${t.abstain}, stemte ikke ${t.notVoted}`;
  const objections = procedure.voters
    .map((voter) => procedure.votes[String(voter)])
    .filter((cast) => cast?.vote === 'disagree' && cast.comment)
    .map((cast) => `– ${cast!.comment}`);
  return [`Udkastet blev ikke godkendt ved skriftlig procedure (${count}).`, ...objections].join('\n');
}

export const consultationMachine = setup({
  types: {
    context: {} as ConsultationContext,
    events: {} as ConsultationMachineEvent,
    input: {} as ConsultationInput,
  },
  guards: {
    hasCouncil: ({ event }) => event.type === 'ASSIGN' && hasText(event.council),
    ...stateGuards,
    hasComment: ({ event }) => event.type === 'REQUEST_CHANGES' && hasText(event.comment),
    hasValidBasis: ({ event }) =>
      event.type === 'APPROVE' && APPROVAL_BASES.includes(event.basis) && (event.basis !== 'meeting' || isIsoDate(event.meetingDate)),
    hasChannel: ({ event }) => event.type === 'SUBMIT' && SUBMISSION_CHANNELS.includes(event.channel),
    hasReason: ({ event }) => (event.type === 'DECLINE' || event.type === 'WITHDRAW') && hasText(event.reason),
    isNewerDraft: ({ context, event }) =>
      event.type === 'SAVE_DRAFT' && Number.isInteger(event.draftNumber) && event.draftNumber > context.draftNumber,
    isValidProcedureStart: ({ context, event }) => {
      if (event.type !== 'START_WRITTEN_PROCEDURE') return false;
      const startedAt = Date.parse(event.startedAt);
      const closesAt = Date.parse(event.closesAt);
      return (
        Number.isFinite(startedAt) &&
        closesAt > startedAt &&
        closesAt < Date.parse(context.deadline) &&
        event.voters.length > 0 &&
        event.voters.every((voter) => Number.isInteger(voter)) &&
        new Set(event.voters).size === event.voters.length &&
        Number.isInteger(event.quorumPercent) &&
        event.quorumPercent >= 1 &&
        event.quorumPercent <= 100
      );
    },
    isValidVote: ({ context, event }) => {
      const procedure = context.writtenProcedure;
      if (event.type !== 'CAST_VOTE' || !procedure || procedure.outcome !== null) return false;
      return (
        procedure.voters.includes(event.voter) &&
        VOTES.includes(event.vote) &&
        (event.vote !== 'disagree' || hasText(event.comment)) &&
        Date.parse(event.at) < Date.parse(procedure.closesAt)
      );
    },
    closesApproved: ({ context, event }) => closingIsDue(context, event) && isWrittenProcedureApproved(context.writtenProcedure!),
    closesNotApproved: ({ context, event }) => closingIsDue(context, event) && !isWrittenProcedureApproved(context.writtenProcedure!),
    hasCancelReason: ({ event }) => event.type === 'CANCEL_WRITTEN_PROCEDURE' && hasText(event.reason),
    isUnconfirmedIntake: ({ context, event }) =>
      event.type === 'CONFIRM_INTAKE' && stateGuards.awaitsIntakeConfirmation({ context }) && Number.isFinite(Date.parse(event.deadline)),
    isLaterDeadline: ({ context, event }) => {
      if (event.type !== 'EXTEND_DEADLINE') return false;
      const next = Date.parse(event.deadline);
      return Number.isFinite(next) && next > Date.parse(context.deadline);
    },
  },
  actions: {
    assignCouncil: assign(({ event }) => (event.type === 'ASSIGN' ? { council: event.council, assignee: event.assignee ?? null } : {})),
    recordDraft: assign(({ event }) => (event.type === 'SAVE_DRAFT' ? { draftNumber: event.draftNumber, draftEmpty: event.empty } : {})),
    clearChangeRequest: assign({ changesRequested: null }),
    recordChangeRequest: assign(({ event }) => (event.type === 'REQUEST_CHANGES' ? { changesRequested: event.comment.trim(), approval: null } : {})),
    recordApproval: assign(({ event }) =>
      event.type === 'APPROVE'
        ? { approval: { basis: event.basis, meetingDate: event.basis === 'meeting' ? (event.meetingDate ?? null) : null } }
        : {},
    ),
    recordSubmission: assign(({ event }) =>
      event.type === 'SUBMIT'
        ? {
            submission: {
              channel: event.channel,
              recipient: event.recipient ?? null,
              submittedAt: event.submittedAt ?? null,
            },
          }
        : {},
    ),
    recordClosingReason: assign(({ event }) => (event.type === 'DECLINE' || event.type === 'WITHDRAW' ? { closingReason: event.reason.trim() } : {})),
    startProcedure: assign(({ context, event }) =>
      event.type === 'START_WRITTEN_PROCEDURE'
        ? {
            writtenProcedure: {
              number: (context.writtenProcedure?.number ?? 0) + 1,
              startedAt: event.startedAt,
              closesAt: event.closesAt,
              note: event.note?.trim() || null,
              draftNumber: context.draftNumber,
              voters: [...event.voters],
              voterNames: { ...event.voterNames },
              quorumPercent: event.quorumPercent,
              votes: {},
              outcome: null,
              closedAt: null,
              cancelReason: null,
            },
          }
        : {},
    ),
    recordVote: assign(({ context, event }) =>
      event.type === 'CAST_VOTE' && context.writtenProcedure
        ? {
            writtenProcedure: {
              ...context.writtenProcedure,
              votes: {
                ...context.writtenProcedure.votes,
                [String(event.voter)]: { vote: event.vote, comment: event.comment?.trim() || null, at: event.at },
              },
            },
          }
        : {},
    ),
    approveByProcedure: assign(({ context, event }) => {
      const procedure = context.writtenProcedure;
      if (event.type !== 'CLOSE_WRITTEN_PROCEDURE' || !procedure) return {};
      return {
        approval: { basis: 'written_procedure' as const, meetingDate: null, tally: writtenProcedureTally(procedure) },
        writtenProcedure: { ...procedure, outcome: 'approved' as const, closedAt: event.at },
      };
    }),
    rejectByProcedure: assign(({ context, event }) => {
      const procedure = context.writtenProcedure;
      if (event.type !== 'CLOSE_WRITTEN_PROCEDURE' || !procedure) return {};
      return {
        changesRequested: notApprovedComment(procedure),
        approval: null,
        writtenProcedure: { ...procedure, outcome: 'not_approved' as const, closedAt: event.at },
      };
    }),
    cancelProcedure: assign(({ context, event }) =>
      event.type === 'CANCEL_WRITTEN_PROCEDURE' && context.writtenProcedure
        ? { writtenProcedure: { ...context.writtenProcedure, outcome: 'cancelled' as const, cancelReason: event.reason.trim() } }
        : {},
    ),
    confirmDeadline: assign(({ event }) => (event.type === 'CONFIRM_INTAKE' ? { deadline: event.deadline, intakeConfirmed: true } : {})),
    extendDeadline: assign(({ context, event }) =>
      event.type === 'EXTEND_DEADLINE' ? { deadline: event.deadline, extensions: context.extensions + 1 } : {},
    ),
  },
}).createMachine({
  id: 'consultation',
  initial: 'received',
  // XState's transition() builds a throwaway initial snapshot without input on every call; reading
  // `input` safely spares each transition a thrown and caught TypeError (costly with its stack).
  context: ({ input }: { input: ConsultationInput | undefined }) => ({
    council: input?.council ?? null,
    assignee: input?.assignee ?? null,
    deadline: input?.deadline ?? '',
    draftNumber: 0,
    draftEmpty: true,
    changesRequested: null,
    approval: null,
    submission: null,
    closingReason: null,
    extensions: 0,
    writtenProcedure: null,
  }),
  states: {
    received: {
      on: {
        ASSIGN: { target: 'assigned', guard: 'hasCouncil', actions: 'assignCouncil' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
        CONFIRM_INTAKE: { guard: 'isUnconfirmedIntake', actions: 'confirmDeadline' },
      },
    },
    assigned: {
      on: {
        START_DRAFTING: { target: 'drafting' },
        DECLINE: { target: 'declined', guard: 'hasReason', actions: 'recordClosingReason' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
        CONFIRM_INTAKE: { guard: 'isUnconfirmedIntake', actions: 'confirmDeadline' },
      },
    },
    drafting: {
      on: {
        SAVE_DRAFT: { guard: 'isNewerDraft', actions: 'recordDraft' },
        SUBMIT_FOR_APPROVAL: {
          target: 'awaiting_approval',
          guard: 'hasNonEmptyDraft',
          actions: 'clearChangeRequest',
        },
        DECLINE: { target: 'declined', guard: 'hasReason', actions: 'recordClosingReason' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
      },
    },
    awaiting_approval: {
      on: {
        REQUEST_CHANGES: { target: 'drafting', guard: 'hasComment', actions: 'recordChangeRequest' },
        APPROVE: { target: 'approved', guard: 'hasValidBasis', actions: 'recordApproval' },
        START_WRITTEN_PROCEDURE: { target: 'written_procedure', guard: 'isValidProcedureStart', actions: 'startProcedure' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
      },
    },
    // The draft is frozen (no SAVE_DRAFT here) while the voters decide on it.
    written_procedure: {
      on: {
        CAST_VOTE: { guard: 'isValidVote', actions: 'recordVote' },
        CLOSE_WRITTEN_PROCEDURE: [
          { target: 'approved', guard: 'closesApproved', actions: 'approveByProcedure' },
          { target: 'drafting', guard: 'closesNotApproved', actions: 'rejectByProcedure' },
        ],
        CANCEL_WRITTEN_PROCEDURE: { target: 'awaiting_approval', guard: 'hasCancelReason', actions: 'cancelProcedure' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
      },
    },
    approved: {
      on: {
        SUBMIT: { target: 'submitted', guard: 'hasChannel', actions: 'recordSubmission' },
        WITHDRAW: { target: 'withdrawn', guard: 'hasReason', actions: 'recordClosingReason' },
        EXTEND_DEADLINE: { guard: 'isLaterDeadline', actions: 'extendDeadline' },
      },
    },
    submitted: { type: 'final' },
    declined: { type: 'final' },
    withdrawn: { type: 'final' },
  },
});

export type ConsultationSnapshot = SnapshotFrom<typeof consultationMachine>;

/** What is stored in the database: the state value and context, nothing executable. */
export interface PersistedConsultation {
  value: ConsultationState;
  context: ConsultationContext;
}

/** The snapshot as stored in `consultations.snapshot`. */
export function persistSnapshot(snapshot: ConsultationSnapshot): PersistedConsultation {
  return { value: snapshot.value, context: snapshot.context };
}

/**
 * Brings a snapshot stored by an older machine version up to this one. Version 1 is the first;
 * each later version adds a step here, so every stored snapshot still loads.
 */
export function upgradeSnapshot(persisted: PersistedConsultation, storedVersion: number): PersistedConsultation {
  if (storedVersion > MACHINE_VERSION) {
    throw new Error(`Snapshot from machine version ${storedVersion} is newer than this code (${MACHINE_VERSION})`);
  }
  return { value: persisted.value, context: { ...defaultContextFields, ...persisted.context } };
}

// Fields later versions may have added; an older snapshot without them gets these values.
const defaultContextFields: Partial<ConsultationContext> = {
  changesRequested: null,
  approval: null,
  submission: null,
  closingReason: null,
  extensions: 0,
  writtenProcedure: null,
};

/** Restores a machine snapshot from what was stored, upgrading it from `storedVersion` first. */
export function restoreSnapshot(persisted: PersistedConsultation, storedVersion: number): ConsultationSnapshot {
  const upgraded = upgradeSnapshot(persisted, storedVersion);
  return consultationMachine.resolveState({ value: upgraded.value, context: upgraded.context });
}

/**
 * The event types the consultation's state has a transition for now, read from the machine's own
 * transitions: an event counts when one of its transitions has no guard, a payload guard (which a
 * well-formed event passes), or a state guard (`stateGuards`) that the current context passes.
 * No event is made up, so no invented payload can make an answer wrong.
 */
export function acceptedEventTypes(snapshot: ConsultationSnapshot): ConsultationEventType[] {
  const node = consultationMachine.states[snapshot.value];
  if (!node) throw new Error(`Unknown state ${JSON.stringify(snapshot.value)}`);
  const accepted: ConsultationEventType[] = [];
  for (const [type, transitions] of node.transitions) {
    if (transitions.some((t) => passesStateGuard(t.guard, snapshot.context))) accepted.push(type as ConsultationEventType);
  }
  return accepted;
}

function passesStateGuard(guard: unknown, context: ConsultationContext): boolean {
  if (guard === undefined) return true;
  const name = typeof guard === 'string' ? guard : (guard as { type?: unknown }).type;
  if (typeof name !== 'string') throw new Error('Give every guard of the consultation machine a name (setup guards)');
  // A guard of the event and the consultation answers here with its consultation part.
  if (name === 'isUnconfirmedIntake') return stateGuards.awaitsIntakeConfirmation({ context });
  return Object.hasOwn(stateGuards, name) ? stateGuards[name as keyof typeof stateGuards]({ context }) : true;
}

/** True when the state is final: nothing more can happen to the consultation. */
export function isFinalState(state: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}
