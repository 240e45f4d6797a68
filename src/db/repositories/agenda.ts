import { sql } from 'kysely';
import { FINAL_STATES } from '../../../workflows/consultation.machine.ts';
import { termCoversToday } from './users.ts';
import type { Executor, Tx } from '../database.ts';
import type { AgendaItemKind } from '../types.ts';

/**
 * The meeting's agenda (dagsorden): its items in their stored order, the candidates a refresh
 * adds, and the meeting's mailing state. Every change to a meeting's items runs in a transaction
 * that first locks the meeting row ({@link lockCouncilMeeting}), so positions are handed out one
 * writer at a time.
 */

/** The states in which a consultation awaits the council's decision, and so is treated at a meeting. */
export const AWAITING_COUNCIL_STATES = ['drafting', 'awaiting_approval'] as const;

/** One of a council's meetings, or undefined when the council has no meeting with that id. */
export function findCouncilMeeting(db: Executor, councilId: number, meetingId: number) {
  return db.selectFrom('meetings').selectAll().where('id', '=', meetingId).where('council_id', '=', councilId).executeTakeFirst();
}

/** {@link findCouncilMeeting} with the row locked until the transaction ends. */
export function lockCouncilMeeting(tx: Tx, councilId: number, meetingId: number) {
  return tx.selectFrom('meetings').selectAll().where('id', '=', meetingId).where('council_id', '=', councilId).forUpdate().executeTakeFirst();
}

/** When the council's meeting before `startsAt` began, or null when there was none. */
export async function previousMeetingStart(db: Executor, councilId: number, startsAt: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('meetings')
    .select('starts_at')
    .where('council_id', '=', councilId)
    .where('starts_at', '<', startsAt)
    .orderBy('starts_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.starts_at ?? null;
}

/**
 * A meeting's items in agenda order, with the consultation each is about (title, reference,
 * state, deadline and its latest draft). Items taken off the agenda are left out unless
 * `includeRemoved`.
 */
export function listAgendaItems(db: Executor, meetingId: number, options: { includeRemoved?: boolean } = {}) {
  let query = db
    .selectFrom('meeting_agenda_items as item')
    .leftJoin('consultations', 'consultations.id', 'item.consultation_id')
    // The consultation's newest draft, read once per item.
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('response_versions')
          .select(['response_versions.body', 'response_versions.number'])
          .whereRef('response_versions.consultation_id', '=', 'item.consultation_id')
          .orderBy('response_versions.number', 'desc')
          .limit(1)
          .as('draft'),
      (join) => join.onTrue(),
    )
    .selectAll('item')
    .select([
      'consultations.title as consultationTitle',
      'consultations.reference as consultationReference',
      'consultations.state as consultationState',
      'consultations.deadline as consultationDeadline',
      'consultations.authority as consultationAuthority',
      'consultations.council_id as consultationCouncilId',
      'consultations.created_by as consultationCreatedBy',
      'draft.body as draftBody',
      'draft.number as draftNumber',
    ])
    .where('item.meeting_id', '=', meetingId);
  if (!options.includeRemoved) query = query.where('item.removed_at', 'is', null);
  return query.orderBy('item.position').execute();
}

/** One agenda item as {@link listAgendaItems} gives it. */
export type AgendaItemRow = Awaited<ReturnType<typeof listAgendaItems>>[number];

/** The consultations a meeting treats: the council's, awaiting its decision, with a deadline after the meeting starts. */
export function listConsultationCandidates(db: Executor, councilId: number, meetingStartsAt: Date) {
  return db
    .selectFrom('consultations')
    .select(['id', 'title', 'deadline'])
    .where('council_id', '=', councilId)
    .where('state', 'in', AWAITING_COUNCIL_STATES)
    .where('deadline', '>', meetingStartsAt)
    .orderBy('deadline')
    .orderBy('id')
    .execute();
}

/**
 * The decisions taken for the council between two meetings, to be noted at the second: approvals
 * by the chair's decision (APPROVE with basis `chair_decision`) and closed written procedures
 * (CLOSE_WRITTEN_PROCEDURE), after `from` (the previous meeting; null: ever) and before `until`.
 */
export function listDecisionCandidates(db: Executor, councilId: number, from: Date | null, until: Date) {
  let query = db
    .selectFrom('consultation_events as event')
    .innerJoin('consultations', 'consultations.id', 'event.consultation_id')
    .leftJoin('users', 'users.id', 'event.actor_id')
    .select([
      'event.id',
      'event.type',
      'event.at',
      'event.payload',
      'event.consultation_id as consultationId',
      'consultations.title',
      'users.name as actorName',
    ])
    .where('consultations.council_id', '=', councilId)
    .where((eb) =>
      eb.or([
        eb.and([eb('event.type', '=', 'APPROVE'), eb(sql<string>`event.payload->>'basis'`, '=', 'chair_decision')]),
        eb('event.type', '=', 'CLOSE_WRITTEN_PROCEDURE'),
      ]),
    )
    .where('event.at', '<', until);
  if (from) query = query.where('event.at', '>', from);
  return query.orderBy('event.id').execute();
}

/** The consultations and events a meeting's agenda already has (also items taken off it). */
export async function listAgendaKeys(db: Executor, meetingId: number) {
  const rows = await db
    .selectFrom('meeting_agenda_items')
    .select(['kind', 'consultation_id', 'source_event_id'])
    .where('meeting_id', '=', meetingId)
    .execute();
  return {
    consultationIds: new Set(rows.filter((r) => r.kind === 'consultation').map((r) => r.consultation_id!)),
    eventIds: new Set(rows.filter((r) => r.kind === 'note').map((r) => Number(r.source_event_id))),
  };
}

/** The highest position on a meeting's agenda (items taken off included), 0 when it has none. */
async function lastPosition(tx: Tx, meetingId: number): Promise<number> {
  const { last } = await tx
    .selectFrom('meeting_agenda_items')
    .select((eb) => eb.fn.coalesce(eb.fn.max('position'), eb.lit(0)).as('last'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirstOrThrow();
  return Number(last);
}

/** A new agenda item; its position is handed out by {@link appendAgendaItems}. */
export interface NewAgendaItem {
  kind: AgendaItemKind;
  consultationId?: string | null;
  sourceEventId?: number | null;
  title: string;
  bodyMarkdown?: string;
  createdBy?: number | null;
}

/**
 * Adds items at the end of a meeting's agenda, in the order given. Call with the meeting row
 * locked. An item the agenda already has (same consultation, or same noted event) is skipped by
 * the unique indexes, never duplicated. Returns how many were added.
 */
export async function appendAgendaItems(tx: Tx, meetingId: number, items: NewAgendaItem[]): Promise<number> {
  if (items.length === 0) return 0;
  const last = await lastPosition(tx, meetingId);
  let added = 0;
  for (const item of items) {
    const inserted = await tx
      .insertInto('meeting_agenda_items')
      .values({
        meeting_id: meetingId,
        position: last + added + 1,
        kind: item.kind,
        consultation_id: item.consultationId ?? null,
        source_event_id: item.sourceEventId ?? null,
        title: item.title,
        body_markdown: item.bodyMarkdown ?? '',
        created_by: item.createdBy ?? null,
      })
      // The arbiter is named: the deferred position key cannot be one (and is never hit under the meeting lock).
      .$call((q) =>
        item.kind === 'free'
          ? q
          : q.onConflict((oc) =>
              oc
                .columns(item.kind === 'consultation' ? ['meeting_id', 'consultation_id'] : ['meeting_id', 'source_event_id'])
                .where('kind', '=', sql.lit(item.kind))
                .doNothing(),
            ),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted) added += 1;
  }
  return added;
}

/** One item of a meeting (also one taken off), or undefined. */
export function findAgendaItem(db: Executor, meetingId: number, itemId: number) {
  return db.selectFrom('meeting_agenda_items').selectAll().where('id', '=', itemId).where('meeting_id', '=', meetingId).executeTakeFirst();
}

/** Gives two items of one meeting each other's positions (the deferred unique key allows the swap). */
export async function swapAgendaPositions(tx: Tx, a: { id: number; position: number }, b: { id: number; position: number }): Promise<void> {
  await tx.updateTable('meeting_agenda_items').set({ position: b.position }).where('id', '=', a.id).execute();
  await tx.updateTable('meeting_agenda_items').set({ position: a.position }).where('id', '=', b.id).execute();
}

/** Takes an item off the agenda (the row stays, so a refresh does not bring it back). */
export async function removeAgendaItem(tx: Tx, meetingId: number, itemId: number, at: Date): Promise<boolean> {
  const result = await tx
    .updateTable('meeting_agenda_items')
    .set({ removed_at: at })
    .where('id', '=', itemId)
    .where('meeting_id', '=', meetingId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Puts an item taken off back on the agenda, at the end. Call with the meeting row locked. */
export async function restoreAgendaItem(tx: Tx, meetingId: number, itemId: number): Promise<boolean> {
  const last = await lastPosition(tx, meetingId);
  const result = await tx
    .updateTable('meeting_agenda_items')
    .set({ removed_at: null, position: last + 1 })
    .where('id', '=', itemId)
    .where('meeting_id', '=', meetingId)
    .where('removed_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records that the agenda changed after it was mailed: sets `agenda_changed_at` unless it is set
 * already (one note per batch of changes). Does nothing before the agenda was mailed.
 */
export async function markAgendaChanged(tx: Tx, meetingId: number, at: Date): Promise<void> {
  await tx
    .updateTable('meetings')
    .set({ agenda_changed_at: at })
    .where('id', '=', meetingId)
    .where('agenda_sent_at', 'is not', null)
    .where('agenda_changed_at', 'is', null)
    .execute();
}

/**
 * Meetings whose agenda mail or change note may be due: not yet begun at `now`, and either not
 * mailed or changed since the mail; with the council's lead time in working days.
 */
export function listMeetingsForAgendaMail(db: Executor, now: Date) {
  return db
    .selectFrom('meetings')
    .innerJoin('councils', 'councils.id', 'meetings.council_id')
    .select([
      'meetings.id',
      'meetings.council_id as councilId',
      'meetings.starts_at as startsAt',
      'meetings.agenda_sent_at as agendaSentAt',
      'meetings.agenda_changed_at as agendaChangedAt',
      'councils.agenda_working_days as agendaWorkingDays',
    ])
    .where('meetings.starts_at', '>', now)
    .where((eb) => eb.or([eb('meetings.agenda_sent_at', 'is', null), eb('meetings.agenda_changed_at', 'is not', null)]))
    .orderBy('meetings.starts_at')
    .execute();
}

/**
 * Claims the first mailing of a meeting's agenda: sets `agenda_sent_at` when it is still null.
 * True for exactly one caller across processes (a second waits on the row lock, then finds it set).
 */
export async function claimAgendaMail(tx: Tx, meetingId: number, at: Date): Promise<boolean> {
  const result = await tx
    .updateTable('meetings')
    .set({ agenda_sent_at: at, agenda_changed_at: null })
    .where('id', '=', meetingId)
    .where('agenda_sent_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Claims the change note of a mailed agenda: clears `agenda_changed_at`; true for exactly one caller. */
export async function claimAgendaChangeNote(tx: Tx, meetingId: number): Promise<boolean> {
  const result = await tx
    .updateTable('meetings')
    .set({ agenda_changed_at: null })
    .where('id', '=', meetingId)
    .where('agenda_sent_at', 'is not', null)
    .where('agenda_changed_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The council's secretary, chair and members who get its agenda: active users, each once. */
export function listAgendaRecipients(db: Executor, councilId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role'])
    .where('memberships.council_id', '=', councilId)
    .where('memberships.role', 'in', ['secretary', 'chair', 'member'])
    .where(termCoversToday)
    .where('users.disabled_at', 'is', null)
    .orderBy('users.id')
    .execute();
}

/** The council's open consultations, soonest deadline first: what the secretary may put on an agenda. */
export function listOpenCouncilConsultations(db: Executor, councilId: number) {
  return db
    .selectFrom('consultations')
    .select(['id', 'title', 'reference'])
    .where('council_id', '=', councilId)
    .where('state', 'not in', FINAL_STATES)
    .orderBy('deadline')
    .orderBy('id')
    .execute();
}

/** One of the council's consultations (id and title), or undefined. */
export function findCouncilConsultation(db: Executor, councilId: number, consultationId: string) {
  return db
    .selectFrom('consultations')
    .select(['id', 'title'])
    .where('id', '=', consultationId)
    .where('council_id', '=', councilId)
    .executeTakeFirst();
}

/** The meeting's item treating a consultation (also one taken off), or undefined. */
export function findConsultationItem(db: Executor, meetingId: number, consultationId: string) {
  return db
    .selectFrom('meeting_agenda_items')
    .select(['id', 'removed_at'])
    .where('meeting_id', '=', meetingId)
    .where('kind', '=', 'consultation')
    .where('consultation_id', '=', consultationId)
    .executeTakeFirst();
}

/** A meeting by its id alone (the mail job's lookup), or undefined when it was deleted. */
export function findMeetingById(db: Executor, meetingId: number) {
  return db.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirst();
}
