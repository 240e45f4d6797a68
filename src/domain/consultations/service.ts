import { initialTransition, transition } from 'xstate';
import type { Db, Executor, Tx } from '../../db/database.ts';
import type { Consultation, Council } from '../../db/types.ts';
import {
  findConsultationDetails,
  insertConsultationWithEvents,
  lockConsultationWithDetails,
  takeReference,
  updateConsultationAndAppendEvent,
  type ConsultationDetailsRow,
  type ArchiveRecord,
  type DraftRecord,
  type EventRecord,
  type TransitionChanges,
  type TransitionRecords,
} from '../../db/repositories/consultations.ts';
import { findCouncilById, findCouncilBySlug } from '../../db/repositories/councils.ts';
import { listConsultationRows, type ListFilter } from '../../db/repositories/queue.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { findUserByEmail, listCouncilMembers } from '../../db/repositories/users.ts';
import { queueWrittenProcedureJobs } from '../written-procedure/jobs.ts';
import {
  acceptedEventTypes,
  consultationMachine,
  EVENT_TYPES,
  FINAL_STATES,
  MACHINE_VERSION,
  persistSnapshot,
  restoreSnapshot,
  type ConsultationMachineEvent,
  type ConsultationSnapshot,
  type ConsultationState,
  type PersistedConsultation,
  type UserEventType,
  writtenProcedureTally,
  type WrittenProcedure,
  type WrittenProcedureTally,
} from '../../../workflows/consultation.machine.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { consultationDeadline, type DeadlineStatus } from '../deadlines/status.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { danishDate, type Clock } from '../time.ts';
import { isUuid, parseInput } from '../validation.ts';
import {
  mayActorDraft,
  mayActorReadInternals,
  mayActorRecordMeetingDecision,
  mayActorRegister,
  mayActorSee,
  mayActorSend,
  timelineEntryForOutsiders,
  viewerOf,
  VOTER_ROLES,
} from './policy.ts';
import { submitWithLetter, type ArchiveDeps } from '../archive/service.ts';
import { createStatusLink, type StatusLinkDeps } from './status-links.ts';
import { eventSchema, newConsultationSchema, saveDraftSchema, type EventInput } from './schemas.ts';

/** What the consultation services that only read and write rows need. */
export interface ConsultationDeps {
  db: Db;
  clock: Clock;
}

/**
 * What sending an event needs: SUBMIT renders and archives the letter with the PDF renderer and,
 * by e-mail, queues its mail (src/domain/archive/service.ts).
 */
export type EventDeps = ConsultationDeps & ArchiveDeps;

/** What registering needs besides the consultation services: the secret status links are derived under. */
export interface RegistrationDeps extends ConsultationDeps {
  config: Pick<StatusLinkDeps['config'], 'sessionSecret'>;
}

/** A consultation as the UI and the API see it, for one actor. */
export interface ConsultationView {
  id: string;
  reference: string | null;
  title: string;
  authority: string;
  authorityReference: string | null;
  authorityEmail: string | null;
  receivedAt: string;
  deadline: Date;
  summary: string | null;
  sourceUrl: string | null;
  state: ConsultationState;
  version: number;
  council: { id: number; slug: string; name: string } | null;
  assignee: { email: string; name: string } | null;
  daysLeft: number;
  /** Working days left to the deadline (DeadlineCount); null once closed or overdue. */
  workingDaysLeft: number | null;
  deadlineStatus: DeadlineStatus;
  allowedEvents: UserEventType[];
  mayEditDraft: boolean;
  /** The chair's comments on the draft sent back; absent for those who may not read the council's internals. */
  changesRequested?: string | null;
  approval: PersistedConsultation['context']['approval'];
  submission: PersistedConsultation['context']['submission'];
  closingReason: string | null;
  /** The newest written procedure (running or ended), or null when there has been none. */
  writtenProcedure: WrittenProcedureView | null;
  /** Where a consultation that arrived by itself came from, for those who read the council's internals; null: registered by hand. */
  intake?: IntakeView | null;
  updatedAt: Date;
}

/** A consultation that arrived by mail or from Høringsportalen, as its council sees it. */
export interface IntakeView {
  source: 'mail' | 'feed';
  /** Null while the deadline waits for the secretary. */
  confirmedAt: Date | null;
  /** The sentence the proposed deadline came from; null: none was found. */
  deadlineSentence: string | null;
  note: string | null;
  /** Whether this actor may confirm it now. */
  mayConfirm: boolean;
}

/** A written procedure as one actor sees it. */
export interface WrittenProcedureView {
  number: number;
  status: 'running' | 'approved' | 'not_approved' | 'cancelled';
  startedAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  note: string | null;
  cancelReason: string | null;
  /** The draft version voted on. */
  draftNumber: number;
  quorumPercent: number;
  counts: WrittenProcedureTally;
  /** The voters and whether each has voted; how each voted only for those who may read the council's internals. */
  voters: { userId: number; name: string; hasVoted: boolean; vote?: 'agree' | 'disagree' | 'abstain'; comment?: string | null }[];
  /** Whether this actor may vote now (a voter, while it runs). */
  mayVote: boolean;
  /** This actor's current vote, when they are a voter and have voted. */
  myVote: { vote: 'agree' | 'disagree' | 'abstain'; comment: string | null } | null;
}

/** The written procedure of a context as the actor sees it. */
export function writtenProcedureViewFor(
  actor: Actor,
  procedure: WrittenProcedure | null,
  internals: boolean,
  running: boolean,
): WrittenProcedureView | null {
  if (!procedure) return null;
  const mine = procedure.votes[String(actor.userId)];
  const isVoter = procedure.voters.includes(actor.userId);
  return {
    number: procedure.number,
    status: procedure.outcome ?? 'running',
    startedAt: new Date(procedure.startedAt),
    closesAt: new Date(procedure.closesAt),
    closedAt: procedure.closedAt ? new Date(procedure.closedAt) : null,
    note: procedure.note,
    cancelReason: procedure.cancelReason,
    draftNumber: procedure.draftNumber,
    quorumPercent: procedure.quorumPercent,
    counts: writtenProcedureTally(procedure),
    voters: procedure.voters.map((userId) => {
      const cast = procedure.votes[String(userId)];
      const name = procedure.voterNames?.[String(userId)] ?? `Bruger ${userId}`;
      return internals
        ? { userId, name, hasVoted: !!cast, ...(cast ? { vote: cast.vote, comment: cast.comment } : {}) }
        : { userId, name, hasVoted: !!cast };
    }),
    mayVote: running && procedure.outcome === null && isVoter,
    myVote: isVoter && mine ? { vote: mine.vote, comment: mine.comment } : null,
  };
}

export interface ConsultationDetails extends ConsultationView {
  /** The newest draft; absent for those who may not read the council's internals (mayActorReadInternals). */
  draft?: { number: number; body: string; savedAt: Date; savedBy: string | null } | null;
  /** Every event for the council; for anyone else only the states, and only the comments meant for the authority. */
  timeline: TimelineEntry[];
}

export interface TimelineEntry {
  at: Date;
  actor: string | null;
  type: string;
  from: string | null;
  to: string | null;
  comment: string | null;
  payload: Record<string, unknown>;
}

/**
 * The events this actor may send now: the event types the machine's current state takes
 * (`acceptedEventTypes`, read from the machine itself), combined with the role table. Never a
 * second copy of the state rules. Whether a payload is good (a reason given, a later deadline) is
 * checked when the event is sent, not here.
 */
export function allowedEventsFor(actor: Actor, snapshot: ConsultationSnapshot, councilId: number | null): UserEventType[] {
  const accepted = new Set(acceptedEventTypes(snapshot));
  return EVENT_TYPES.filter((type) => {
    const roleAllows =
      type === 'ASSIGN' && councilId === null
        ? actor.isAdmin || actor.councils.some((c) => c.role === 'secretary')
        : mayActorSend(actor, type, councilId);
    return roleAllows && accepted.has(type);
  });
}

type ConsultationRowWithNames = Consultation & {
  councilSlug: string | null;
  councilName: string | null;
  councilDueSoonDays: number | null;
  assigneeEmail: string | null;
  assigneeName: string | null;
};

/** The view of a row; `snapshot` is the row's restored snapshot when the caller already has it. */
function toView(
  actor: Actor,
  row: ConsultationRowWithNames,
  now: Date,
  snapshot: ConsultationSnapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version),
): ConsultationView {
  const state = row.state as ConsultationState;
  const context = snapshot.context;
  const allowedEvents = allowedEventsFor(actor, snapshot, row.council_id);
  const internals = mayActorReadInternals(actor, row);
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    authority: row.authority,
    authorityReference: row.authority_reference,
    authorityEmail: row.authority_email,
    receivedAt: row.received_at,
    deadline: row.deadline,
    summary: row.summary,
    sourceUrl: row.source_url,
    state,
    version: row.version,
    council:
      row.council_id !== null && row.councilSlug !== null
        ? { id: row.council_id, slug: row.councilSlug, name: row.councilName ?? row.councilSlug }
        : null,
    assignee: row.assigneeEmail ? { email: row.assigneeEmail, name: row.assigneeName ?? row.assigneeEmail } : null,
    ...consultationDeadline(row, now),
    allowedEvents,
    mayEditDraft: state === 'drafting' && mayActorDraft(actor, row.council_id),
    ...(internals ? { changesRequested: context.changesRequested } : {}),
    approval: context.approval,
    submission: context.submission,
    closingReason: context.closingReason,
    writtenProcedure: writtenProcedureViewFor(actor, context.writtenProcedure, internals, state === 'written_procedure'),
    ...(internals ? { intake: intakeViewOf(actor, row, snapshot) } : {}),
    updatedAt: row.updated_at,
  };
}

function intakeViewOf(actor: Actor, row: ConsultationRowWithNames, snapshot: ConsultationSnapshot): IntakeView | null {
  if (row.intake_source === null) return null;
  const confirmable = row.intake_confirmed_at === null && snapshot.can({ type: 'CONFIRM_INTAKE', deadline: row.deadline.toISOString() });
  return {
    source: row.intake_source,
    confirmedAt: row.intake_confirmed_at,
    deadlineSentence: row.intake_deadline_sentence,
    note: row.intake_note,
    mayConfirm: confirmable && (actor.isAdmin || mayActorDraft(actor, row.council_id)),
  };
}

function isUserEventType(value: unknown): value is UserEventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

function commentOf(payload: Record<string, unknown>): string | null {
  for (const key of ['comment', 'reason', 'note']) {
    const value = payload[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return null;
}

/** One consultation with its draft and timeline, or NOT_FOUND when the actor may not see it. */
export async function getConsultation(deps: ConsultationDeps, actor: Actor, id: string): Promise<ConsultationDetails> {
  return (await readConsultation(deps, actor, id)).consultation;
}

/**
 * The consultation as the actor sees it and the row it was made from (one read), or NOT_FOUND when
 * the actor may not see it; for pages that decide more from the row.
 */
export async function readConsultation(
  deps: ConsultationDeps,
  actor: Actor,
  id: string,
): Promise<{ consultation: ConsultationDetails; row: ConsultationDetailsRow }> {
  return readConsultationWith(deps, actor, id, findConsultationDetails);
}

/**
 * readConsultation with a query of the caller's that reads the details and more (the page reads
 * its documents, meetings and status link with them): one round trip, the same access rule.
 */
export async function readConsultationWith<R extends ConsultationDetailsRow>(
  deps: Pick<ConsultationDeps, 'db' | 'clock'>,
  actor: Actor,
  id: string,
  read: (db: Executor, id: string) => Promise<R | undefined>,
): Promise<{ consultation: ConsultationDetails; row: R }> {
  const row = isUuid(id) ? await read(deps.db, id) : undefined;
  const consultation = detailsFor(actor, row, deps.clock());
  return { consultation, row: row! };
}

/** The details view of a row read with its draft and events, or NOT_FOUND when the actor may not see it. */
export function detailsFor(actor: Actor, row: ConsultationDetailsRow | undefined, now: Date, snapshot?: ConsultationSnapshot): ConsultationDetails {
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  const { draft, events } = row;
  const internals = mayActorReadInternals(actor, row);
  const timeline: TimelineEntry[] = [];
  for (const e of events) {
    const entry: TimelineEntry = {
      at: new Date(e.at),
      actor: e.actorName ?? null,
      type: e.type,
      from: e.from_state,
      to: e.to_state,
      comment: commentOf(e.payload),
      payload: e.payload,
    };
    if (internals) {
      timeline.push(entry);
      continue;
    }
    const shown = timelineEntryForOutsiders(entry);
    if (shown === 'hidden') continue;
    // The payload may carry what the comment leaves out (a draft's length, an SMTP error).
    timeline.push({ ...entry, payload: {}, comment: shown === 'whole' ? entry.comment : null });
  }
  const view: ConsultationDetails = { ...toView(actor, row, now, snapshot), timeline };
  if (internals) {
    view.draft = draft ? { number: draft.number, body: draft.body, savedAt: new Date(draft.created_at), savedBy: draft.authorName ?? null } : null;
  }
  return view;
}

/**
 * What one transition wrote: the row as updated, the event row, the response version when it
 * saved a draft, and new names when ASSIGN changed them.
 */
interface Written {
  row: Consultation;
  /** The machine snapshot the row now stores. */
  snapshot: ConsultationSnapshot;
  event: ConsultationDetailsRow['events'][number];
  draft?: ConsultationDetailsRow['draft'];
  /** The id of the archived letter written with the transition (SUBMIT with its letter). */
  archiveId?: number;
  names?: Pick<ConsultationDetailsRow, 'councilSlug' | 'councilName' | 'councilDueSoonDays' | 'assigneeEmail' | 'assigneeName'>;
}

/**
 * The details row after a transition, from the row read (and locked) before it and what the
 * transition wrote. Every changed column comes from UPDATE … RETURNING and the event from
 * INSERT … RETURNING, so this equals a fresh read without one more round trip.
 */
function detailsAfter(before: ConsultationDetailsRow, written: Written): ConsultationDetailsRow {
  const { row, names, event, draft } = written;
  return { ...before, ...row, ...names, ...(draft ? { draft } : {}), events: [...before.events, event] };
}

/** Who a transition is recorded for: a person, or null for Rådssvar itself (a written procedure closing at its time). */
export type EventAuthor = Pick<Actor, 'userId' | 'name'> | null;

/** A timeline row of the details from an event as stored (its time as a Date or as JSON gives it). */
function eventEntry(
  actor: EventAuthor,
  stored: { at: Date | string; payload: Record<string, unknown> },
  type: string,
  fromState: string | null,
  toState: string,
): ConsultationDetailsRow['events'][number] {
  const at = typeof stored.at === 'string' ? stored.at : stored.at.toISOString();
  return { at, type, from_state: fromState, to_state: toState, payload: stored.payload, actorName: actor?.name ?? null };
}

/** The year of a council's reference series: the Danish calendar year at `now`. */
export function referenceYear(now: Date): number {
  return Number(danishDate(now).slice(0, 4));
}

/** Listing options; `council` is a slug. */
export interface ListQuery {
  state?: string[];
  council?: string;
  q?: string;
  mine?: boolean;
  dueWithinDays?: number;
  overdue?: boolean;
  openOnly?: boolean;
  limit?: number;
  cursor?: string;
}

/** The consultations the actor may see, soonest deadline first, one page at a time. */
export async function listConsultations(
  deps: ConsultationDeps,
  actor: Actor,
  query: ListQuery,
): Promise<{ items: ConsultationView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const now = deps.clock();
  const filter: ListFilter = { viewer: viewerOf(actor), states: query.state, q: query.q?.trim() || undefined };
  if (query.council) {
    const council = await findCouncilBySlug(deps.db, query.council);
    // An unknown or foreign council gives an empty list, not an error that tells it exists.
    filter.councilId = council?.id ?? -1;
  }
  if (query.mine) filter.assigneeId = actor.userId;
  if (query.overdue) {
    filter.deadlineBefore = now;
    filter.excludeStates = FINAL_STATES;
  }
  if (query.dueWithinDays !== undefined) {
    filter.deadlineFrom = now;
    filter.deadlineBefore = new Date(now.getTime() + query.dueWithinDays * 86_400_000);
    filter.excludeStates = FINAL_STATES;
  }
  if (query.openOnly) filter.excludeStates = FINAL_STATES;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listConsultationRows(deps.db, filter, { after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => toView(actor, row, now)),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

/**
 * Registers a consultation with its status link (created here, in the same transaction, so reading
 * a page never has to write one); with a council it is assigned at once (and gets the council's
 * reference). Both transitions (REGISTERED, and ASSIGN when a council is given) are computed with
 * the machine and stored with their event rows in one transaction.
 */
export async function registerConsultation(
  deps: RegistrationDeps,
  actor: Actor,
  input: unknown,
  options: {
    /** Runs inside the registering transaction (e.g. storing the documents), so all or nothing is stored. */
    alongside?: (tx: Tx, consultationId: string) => Promise<void>;
  } = {},
): Promise<ConsultationDetails> {
  const values = parseInput(newConsultationSchema, input);
  const now = deps.clock();
  checkDeadlineRange(values.deadline, now);
  if (values.receivedAt) checkPastDay(values.receivedAt, 'receivedAt', now);
  if (!mayActorRegister(actor)) throw forbidden('Kun sekretærer og administratorer kan registrere høringer');
  const register = async (tx: Tx) => {
    const [received] = initialTransition(consultationMachine, { deadline: values.deadline.toISOString() });
    const events: EventRecord[] = [{ actorId: actor.userId, type: 'REGISTERED', fromState: null, toState: received.value, payload: {} }];
    let snapshot = received;
    let assignment: Assignment | undefined;
    if (values.council) {
      assignment = await resolveAssignment(tx, actor, { council: values.council, assignee: null });
      if (!mayActorSend(actor, 'ASSIGN', assignment.council.id)) throw forbidden();
      if (!received.can(assignment.machineEvent)) throw transitionNotAllowed('ASSIGN', received.value);
      [snapshot] = transition(consultationMachine, received, assignment.machineEvent);
      events.push({ actorId: actor.userId, type: 'ASSIGN', fromState: received.value, toState: snapshot.value, payload: assignment.logPayload });
    }
    const { row, events: stored } = await insertConsultationWithEvents(
      tx,
      {
        title: values.title,
        authority: values.authority,
        authority_reference: values.authorityReference,
        authority_email: values.authorityEmail,
        received_at: values.receivedAt ?? danishDate(now),
        deadline: values.deadline,
        summary: values.summary,
        source_url: values.sourceUrl,
        council_id: assignment?.council.id ?? null,
        assignee_id: assignment?.assigneeId ?? null,
        state: snapshot.value,
        snapshot: JSON.stringify(persistSnapshot(snapshot)),
        machine_version: MACHINE_VERSION,
        // One version per transition, as if each had been written on its own.
        version: events.length,
        created_by: actor.userId,
      },
      events,
      assignment ? { councilId: assignment.council.id, prefix: assignment.council.reference_prefix, year: referenceYear(now) } : null,
    );
    await createStatusLink(tx, deps.config.sessionSecret, row.id);
    await options.alongside?.(tx, row.id);
    const registered: ConsultationDetailsRow = {
      ...row,
      councilSlug: null,
      councilName: null,
      councilDueSoonDays: null,
      assigneeEmail: null,
      assigneeName: null,
      ...assignment?.names,
      draft: null,
      events: events.map((event, i) => eventEntry(actor, stored[i]!, event.type, event.fromState, event.toState)),
    };
    return { details: registered, snapshot };
  };
  const written = await deps.db.transaction().execute(register);
  return detailsFor(actor, written.details, deps.clock(), written.snapshot);
}

/**
 * Sends one event to a consultation, in one transaction: lock the row, check who may do it and
 * which version they saw, compute the next snapshot with the machine, write it with version + 1
 * and append the event row. Effects of the event run after the commit.
 */
export async function sendEvent(deps: EventDeps, actor: Actor, id: string, input: unknown): Promise<ConsultationDetails> {
  if ((input as { type?: unknown } | null)?.type === 'SUBMIT') {
    // The letter is rendered before the transaction; the transition itself is still applyEvent's.
    const applied = await submitWithLetter(deps, actor, id, input, async (tx, row, event, letter) => {
      const written = await applyEvent(tx, deps, actor, row, event, letter);
      if (written.archiveId === undefined) throw new Error('SUBMIT wrote no archive row');
      return { details: detailsAfter(row, written), snapshot: written.snapshot };
    });
    return detailsFor(actor, applied.details, deps.clock(), applied.snapshot);
  }
  const { details, snapshot } = await deps.db.transaction().execute((tx) => sendEventIn(tx, deps, actor, id, input));
  return detailsFor(actor, details, deps.clock(), snapshot);
}

/**
 * Sends one event (not SUBMIT, which renders a letter first) inside a transaction the caller holds,
 * so a change elsewhere (a meeting's minutes) and the transition commit together or not at all.
 * Locks the row, checks role, version and state as `sendEvent` does.
 */
export async function sendEventInTransaction(tx: Tx, deps: ConsultationDeps, actor: Actor, id: string, input: unknown): Promise<ConsultationDetails> {
  if ((input as { type?: unknown } | null)?.type === 'SUBMIT') throw new Error('SUBMIT renders its letter first: use sendEvent');
  const { details, snapshot } = await sendEventIn(tx, deps, actor, id, input);
  return detailsFor(actor, details, deps.clock(), snapshot);
}

/** A meeting's decision on a consultation, as its minutes record it. */
export type MeetingDecision =
  { type: 'APPROVE'; version: number; meetingDate: string } | { type: 'REQUEST_CHANGES'; version: number; comment: string };

/**
 * Sends the decision a meeting's minutes record (APPROVE with basis `meeting` and the meeting's
 * date, or REQUEST_CHANGES with the meeting's comment) inside the minutes' transaction. The
 * council's secretary may send it as well as its chair (mayActorRecordMeetingDecision): the
 * meeting decided, the minutes write it down. Only src/domain/meetings/minutes.ts calls this.
 */
export async function sendMeetingDecisionInTransaction(
  tx: Tx,
  deps: ConsultationDeps,
  actor: Actor,
  id: string,
  decision: MeetingDecision,
): Promise<ConsultationDetails> {
  const input =
    decision.type === 'APPROVE'
      ? { type: 'APPROVE', version: decision.version, basis: 'meeting', meetingDate: decision.meetingDate }
      : { type: 'REQUEST_CHANGES', version: decision.version, comment: decision.comment };
  const { details, snapshot } = await sendEventIn(tx, deps, actor, id, input, mayActorRecordMeetingDecision);
  return detailsFor(actor, details, deps.clock(), snapshot);
}

/** Who may send an event: the role table (mayActorSend), or the minutes' rule for a meeting's decision. */
type SendRule = typeof mayActorSend;

async function sendEventIn(
  tx: Tx,
  deps: ConsultationDeps,
  actor: Actor,
  id: string,
  input: unknown,
  maySend: SendRule = mayActorSend,
): Promise<{ details: ConsultationDetailsRow; snapshot: ConsultationSnapshot }> {
  const row = isUuid(id) ? await lockConsultationWithDetails(tx, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  // A role that may never send this event hears so before any detail of the payload.
  const type = (input as { type?: unknown } | null)?.type;
  if (isUserEventType(type) && type !== 'ASSIGN' && !maySend(actor, type, row.council_id)) throw forbidden();
  const event = parseInput(eventSchema, input);
  const written = await applyEvent(tx, deps, actor, row, event, undefined, maySend);
  return { details: detailsAfter(row, written), snapshot: written.snapshot };
}

/** What an ASSIGN resolves to: the council, who is responsible, and what the machine and the log get. */
interface Assignment {
  council: Council;
  assigneeId: number | null;
  names: NonNullable<Written['names']>;
  machineEvent: Extract<ConsultationMachineEvent, { type: 'ASSIGN' }>;
  logPayload: Record<string, unknown>;
}

/**
 * Looks up the council (and the named assignee, who must be its secretary or chair) of an ASSIGN.
 * Without a named assignee, a secretary of the council who assigns it becomes responsible.
 */
async function resolveAssignment(db: Executor, actor: Actor, event: { council: string; assignee?: string | null }): Promise<Assignment> {
  const council = await findCouncilBySlug(db, event.council);
  if (!council) {
    throw new AppError('VALIDATION_FAILED', 'Ukendt råd', { details: [{ path: 'council', message: 'Ukendt råd' }] });
  }
  let assigneeId: number | null = null;
  let assigneeNames: { email: string; name: string } | null = null;
  if (event.assignee) {
    const assignee = await findUserByEmail(db, event.assignee);
    const members = await listCouncilMembers(db, council.id, ['secretary', 'chair']);
    if (!assignee || !members.some((m) => m.id === assignee.id)) {
      throw new AppError('VALIDATION_FAILED', 'Den ansvarlige skal være sekretær eller formand i rådet', {
        details: [{ path: 'assignee', message: 'Skal være sekretær eller formand i rådet' }],
      });
    }
    assigneeId = assignee.id;
    assigneeNames = assignee;
  } else if (roleIn(actor, council.id) === 'secretary') {
    assigneeId = actor.userId;
    assigneeNames = actor;
  }
  return {
    council,
    assigneeId,
    names: {
      councilSlug: council.slug,
      councilName: council.name,
      councilDueSoonDays: council.due_soon_working_days,
      assigneeEmail: assigneeNames?.email ?? null,
      assigneeName: assigneeNames?.name ?? null,
    },
    machineEvent: { type: 'ASSIGN', council: council.slug, assignee: event.assignee ?? null },
    logPayload: { council: council.slug, councilName: council.name, assignee: event.assignee ?? null },
  };
}

/**
 * Applies an event Rådssvar itself sends (a vote from the vote endpoint, the closing of a written
 * procedure) to a row locked in `tx` (lockConsultationWithDetails): the machine must accept it, and
 * it is written as one transition with its event row. Returns the row after it, to chain the next.
 */
export async function applyServiceEvent(
  tx: Tx,
  author: EventAuthor,
  row: ConsultationDetailsRow,
  machineEvent: ConsultationMachineEvent,
  logPayload: Record<string, unknown>,
  changes: TransitionChanges = {},
): Promise<{ details: ConsultationDetailsRow; snapshot: ConsultationSnapshot }> {
  const snapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version);
  if (!snapshot.can(machineEvent)) throw transitionNotAllowed(machineEvent.type, row.state);
  const written = await writeTransition(tx, author, row, snapshot, machineEvent, changes, logPayload);
  return { details: detailsAfter(row, written), snapshot: written.snapshot };
}

/** Applies one event to the locked row; a SUBMIT with its letter (`letter`) archives it in the same transaction. */
async function applyEvent(
  tx: Tx,
  deps: ConsultationDeps & { jobs?: Jobs },
  actor: Actor,
  row: Consultation,
  event: EventInput,
  letter?: ArchiveRecord,
  maySend: SendRule = mayActorSend,
): Promise<Written> {
  const changes: TransitionChanges = {};

  let machineEvent: ConsultationMachineEvent;
  let roleCouncilId = row.council_id;
  const logPayload: Record<string, unknown> = {};
  let referenceFor: Council | undefined;
  let names: Written['names'];

  // A council approves at a meeting that has been held.
  if (event.type === 'APPROVE' && event.meetingDate) checkPastDay(event.meetingDate, 'meetingDate', deps.clock());
  switch (event.type) {
    case 'ASSIGN': {
      const assignment = await resolveAssignment(tx, actor, event);
      roleCouncilId = assignment.council.id;
      names = assignment.names;
      changes.council_id = assignment.council.id;
      changes.assignee_id = assignment.assigneeId;
      machineEvent = assignment.machineEvent;
      Object.assign(logPayload, assignment.logPayload);
      if (row.reference === null) referenceFor = assignment.council;
      break;
    }
    case 'EXTEND_DEADLINE':
      checkDeadlineRange(event.deadline, deps.clock());
      machineEvent = { type: 'EXTEND_DEADLINE', deadline: event.deadline.toISOString(), note: event.note };
      changes.deadline = event.deadline;
      Object.assign(logPayload, { previousDeadline: row.deadline.toISOString(), deadline: event.deadline.toISOString(), note: event.note });
      break;
    case 'START_WRITTEN_PROCEDURE': {
      const now = deps.clock();
      checkProcedureClose(event.closesAt, now, row.deadline);
      const council = row.council_id === null ? undefined : await findCouncilById(tx, row.council_id);
      const voters = council ? await listCouncilMembers(tx, council.id, VOTER_ROLES) : [];
      if (!council || voters.length === 0) {
        throw new AppError('NO_VOTERS', 'Rådet har ingen formand eller medlemmer, der kan stemme ved skriftlig procedure');
      }
      machineEvent = {
        type: 'START_WRITTEN_PROCEDURE',
        startedAt: now.toISOString(),
        closesAt: event.closesAt.toISOString(),
        note: event.note,
        voters: voters.map((voter) => voter.id),
        voterNames: Object.fromEntries(voters.map((voter) => [String(voter.id), voter.name])),
        quorumPercent: council.written_procedure_quorum_percent,
      };
      Object.assign(logPayload, {
        closesAt: machineEvent.closesAt,
        note: event.note,
        voters: voters.length,
        quorumPercent: council.written_procedure_quorum_percent,
      });
      break;
    }
    case 'SUBMIT':
      if (event.submittedAt) checkPastDay(event.submittedAt, 'submittedAt', deps.clock());
      machineEvent = {
        type: 'SUBMIT',
        channel: event.channel,
        recipient: event.recipient,
        submittedAt: event.submittedAt ?? danishDate(deps.clock()),
      };
      Object.assign(logPayload, { channel: event.channel, recipient: event.recipient, submittedAt: machineEvent.submittedAt });
      if (event.notPublicReason) changes.not_public_reason = event.notPublicReason;
      // Public from this moment unless said otherwise, before or now; the SUBMIT row says which.
      changes.published_at = (changes.not_public_reason ?? row.not_public_reason) === null ? deps.clock() : null;
      logPayload.published = changes.published_at !== null;
      break;
    default: {
      const { version: _version, ...rest } = event;
      machineEvent = rest;
      Object.assign(logPayload, rest);
      delete logPayload.type;
    }
  }

  if (!maySend(actor, event.type, roleCouncilId)) throw forbidden();
  if (row.version !== event.version) throw staleVersion(row.version);
  const snapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version);
  if (!snapshot.can(machineEvent)) throw transitionNotAllowed(event.type, row.state);
  if (referenceFor) {
    changes.reference = await takeReference(tx, referenceFor, referenceYear(deps.clock()));
  }
  const written = await writeTransition(tx, actor, row, snapshot, machineEvent, changes, logPayload, { archive: letter });
  if (machineEvent.type === 'START_WRITTEN_PROCEDURE') {
    if (!deps.jobs) throw new Error('Starting a written procedure queues its jobs: pass jobs');
    await queueWrittenProcedureJobs(deps.jobs, tx, row.id, written.snapshot.context.writtenProcedure!, deps.clock());
  }
  return { ...written, names };
}

async function writeTransition(
  tx: Tx,
  actor: EventAuthor,
  row: Consultation,
  snapshot: ConsultationSnapshot,
  machineEvent: ConsultationMachineEvent,
  changes: TransitionChanges,
  logPayload: Record<string, unknown>,
  records?: TransitionRecords,
): Promise<Written> {
  const [next] = transition(consultationMachine, snapshot, machineEvent);
  const written = await updateConsultationAndAppendEvent(
    tx,
    row.id,
    row.version,
    { ...changes, state: next.value, snapshot: JSON.stringify(persistSnapshot(next)), machine_version: MACHINE_VERSION },
    { actorId: actor?.userId ?? null, type: machineEvent.type, fromState: row.state, toState: next.value, payload: logPayload },
    records,
  );
  if (!written) throw staleVersion(row.version + 1);
  return {
    archiveId: written.archiveId,
    row: written.row,
    snapshot: next,
    event: eventEntry(actor, written.event, machineEvent.type, row.state, written.row.state),
    // The body as stored, which is not always the string sent: a lone UTF-16 surrogate becomes U+FFFD.
    draft: written.draft ? { ...written.draft, created_at: written.draft.created_at.toISOString(), authorName: actor?.name ?? null } : undefined,
  };
}

/** Saves a draft as a new response version; only in drafting, only by its secretary, with the version check. */
export async function saveDraft(deps: ConsultationDeps, actor: Actor, id: string, input: unknown): Promise<ConsultationDetails> {
  const { details, snapshot } = await deps.db.transaction().execute(async (tx) => {
    const row = isUuid(id) ? await lockConsultationWithDetails(tx, id) : undefined;
    if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
    const values = parseInput(saveDraftSchema, input);
    if (!mayActorDraft(actor, row.council_id)) throw forbidden('Kun rådets sekretær kan skrive udkastet');
    if (row.version !== values.version) throw staleVersion(row.version);
    const snapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version);
    const draftNumber = snapshot.context.draftNumber + 1;
    const machineEvent: ConsultationMachineEvent = { type: 'SAVE_DRAFT', draftNumber, empty: values.body.trim() === '' };
    if (!snapshot.can(machineEvent)) {
      throw new AppError('TRANSITION_NOT_ALLOWED', 'Udkastet kan kun ændres mens høringen er under udarbejdelse');
    }
    const draft: DraftRecord = { number: draftNumber, body: values.body, authorId: actor.userId };
    const written = await writeTransition(tx, actor, row, snapshot, machineEvent, {}, { draftNumber, length: values.body.length }, { draft });
    return { details: detailsAfter(row, written), snapshot: written.snapshot };
  });
  return detailsFor(actor, details, deps.clock(), snapshot);
}

const MAX_DEADLINE_YEARS_AHEAD = 5;
const EARLIEST_DEADLINE = Date.UTC(1900, 0, 1);

/**
 * A deadline more than a few years ahead is a typing error, and the working days up to it are
 * counted day by day on every view; one before 1900 may not even fit PostgreSQL's timestamptz.
 */
export function checkDeadlineRange(deadline: Date, now: Date): void {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_DEADLINE_YEARS_AHEAD);
  if (deadline.getTime() < EARLIEST_DEADLINE || deadline.getTime() > latest.getTime()) {
    const message = `Fristen skal ligge mellem 1900 og ${MAX_DEADLINE_YEARS_AHEAD} år frem`;
    throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'deadline', message }] });
  }
}

/**
 * The earliest day a past date (received, submitted, the meeting that approved) may name: the councils Rådssvar serves
 * began in 1999, so an earlier year is a typing error, and a letter dated before it would be wrong in the archive.
 */
export const EARLIEST_PAST_DAY = '1990-01-01';

/**
 * A day that has already come (received, submitted, the meeting that approved): at most today in Denmark, with one day's
 * grace for a client whose own calendar is already on tomorrow (9999-12-31 is a typing error), and not before
 * {@link EARLIEST_PAST_DAY}.
 */
function checkPastDay(date: string, path: string, now: Date): void {
  let message: string | undefined;
  if (date > danishDate(new Date(now.getTime() + 86_400_000))) message = 'Datoen kan ikke ligge efter i dag';
  else if (date < EARLIEST_PAST_DAY) message = `Datoen kan ikke ligge før ${EARLIEST_PAST_DAY.slice(0, 4)}`;
  if (message) throw new AppError('VALIDATION_FAILED', message, { details: [{ path, message }] });
}

/** A written procedure closes in the future and before the consultation's deadline. */
function checkProcedureClose(closesAt: Date, now: Date, deadline: Date): void {
  let message: string | undefined;
  if (closesAt.getTime() <= now.getTime()) message = 'Afstemningen skal slutte efter nu';
  else if (closesAt.getTime() >= deadline.getTime()) message = 'Afstemningen skal slutte før høringsfristen';
  if (message) throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'closesAt', message }] });
}

/** STALE_VERSION: the consultation changed since the client read it. */
export function staleVersion(currentVersion: number): AppError {
  return new AppError('STALE_VERSION', 'Høringen er ændret af en anden siden du hentede den. Hent den igen.', {
    meta: { currentVersion },
  });
}

function transitionNotAllowed(type: string, state: string): AppError {
  return new AppError('TRANSITION_NOT_ALLOWED', `Hændelsen ${type} er ikke mulig i tilstanden ${state}`, {
    meta: { state },
  });
}
