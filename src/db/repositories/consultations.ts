import { sql, type ExpressionBuilder, type RawBuilder, type Updateable } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Executor, Tx } from '../database.ts';
import { DOCUMENT_LIST_COLUMNS } from './consultation-extras.ts';
import type { ConsultationsTable, Database, NewConsultation } from '../types.ts';
import { earlierResponsesSubquery, type EarlierFor } from './earlier-responses.ts';

/** One earlier response as read with the internals. */
export interface EarlierRow {
  id: string;
  title: string;
  authority: string;
  submitted_at: string;
  body: string;
  same_authority: boolean;
  similarity: number;
}

/** The consultation row, locked for the rest of the transaction so no other event interleaves. */
export function lockConsultation(tx: Tx, id: string) {
  return tx.selectFrom('consultations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The consultation row, or undefined. */
export function findConsultationRow(db: Executor, id: string) {
  return db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Appends one row to the event log; returns its time and its payload as stored. */
export function insertEvent(
  db: Executor,
  event: {
    consultationId: string;
    actorId: number | null;
    type: string;
    fromState: string | null;
    toState: string | null;
    payload: Record<string, unknown>;
  },
) {
  return db
    .insertInto('consultation_events')
    .values({
      consultation_id: event.consultationId,
      actor_id: event.actorId,
      type: event.type,
      from_state: event.fromState,
      to_state: event.toState,
      payload: JSON.stringify(event.payload),
    })
    .returning(['at', 'payload'])
    .executeTakeFirstOrThrow();
}

/** The event log of a consultation, oldest first, with the actors' names. */
export function listEvents(db: Executor, consultationId: string) {
  return db
    .selectFrom('consultation_events')
    .leftJoin('users', 'users.id', 'consultation_events.actor_id')
    .select([
      'consultation_events.id',
      'consultation_events.at',
      'consultation_events.type',
      'consultation_events.from_state',
      'consultation_events.to_state',
      'consultation_events.payload',
      'users.name as actorName',
      'users.email as actorEmail',
    ])
    .where('consultation_events.consultation_id', '=', consultationId)
    .orderBy('consultation_events.id')
    .execute();
}

/**
 * Everything a consultation's page shows, in one round trip: the row with its council and
 * assignee, the newest response version and the event log (oldest first) with the actors' names.
 * The draft and the events come back as JSON, so their timestamps are ISO strings.
 */
export function findConsultationDetails(db: Executor, id: string) {
  return consultationDetailsQuery(db, id).executeTakeFirst();
}

/**
 * The consultation with everything its page shows (see findConsultationDetails), its row locked
 * for the rest of the transaction so no other event interleaves. Only the consultation row is
 * locked, not its council or users.
 */
export function lockConsultationWithDetails(tx: Tx, id: string): Promise<ConsultationDetailsRow | undefined> {
  return consultationDetailsQuery(tx, id).forUpdate('consultations').executeTakeFirst();
}

/** A consultation row with its council's and assignee's names, its newest draft and its event log. */
export type ConsultationDetailsRow = NonNullable<Awaited<ReturnType<typeof findConsultationDetails>>>;

/**
 * What the consultation page shows besides the internals, in one round trip: the details (see
 * findConsultationDetails), the documents without their bytes (oldest first), the council's
 * meetings from `meetingsFrom` on (for the deadline advice) and the status link's nonce. The
 * caller decides what the viewer sees of it; the draft comments and the versions are read apart,
 * only for those who may read the council's internals. Documents and meetings come back as JSON.
 */
export function findConsultationPage(db: Executor, id: string, meetingsFrom: Date) {
  return consultationDetailsQuery(db, id)
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('consultation_documents')
          .leftJoin('users', 'users.id', 'consultation_documents.uploaded_by')
          .select(DOCUMENT_LIST_COLUMNS)
          .whereRef('consultation_documents.consultation_id', '=', 'consultations.id')
          .orderBy('consultation_documents.id'),
      ).as('documents'),
      jsonArrayFrom(
        eb
          .selectFrom('meetings')
          .select(['meetings.starts_at', 'meetings.place'])
          .whereRef('meetings.council_id', '=', 'consultations.council_id')
          .where('meetings.starts_at', '>=', meetingsFrom)
          .orderBy('meetings.starts_at'),
      ).as('meetings'),
      eb
        .selectFrom('consultation_status_links')
        .select('consultation_status_links.nonce')
        .whereRef('consultation_status_links.consultation_id', '=', 'consultations.id')
        .as('statusLinkNonce'),
    ])
    .executeTakeFirst();
}

/**
 * The newest response version of the consultation in the outer query, for a subquery that adds
 * what it selects.
 */
export function newestResponseVersion(eb: ExpressionBuilder<Database, 'consultations'>) {
  return eb
    .selectFrom('response_versions')
    .whereRef('response_versions.consultation_id', '=', 'consultations.id')
    .orderBy('response_versions.number', 'desc')
    .limit(1);
}

function consultationDetailsQuery(db: Executor, id: string) {
  return db
    .selectFrom('consultations')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'consultations.assignee_id')
    .selectAll('consultations')
    .select((eb) => [
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.email as assigneeEmail',
      'assignee.name as assigneeName',
      jsonObjectFrom(
        newestResponseVersion(eb)
          .leftJoin('users as author', 'author.id', 'response_versions.author_id')
          .select(['response_versions.number', 'response_versions.body', 'response_versions.created_at', 'author.name as authorName']),
      ).as('draft'),
      jsonArrayFrom(
        eb
          .selectFrom('consultation_events')
          .leftJoin('users as actor', 'actor.id', 'consultation_events.actor_id')
          .select([
            'consultation_events.at',
            'consultation_events.type',
            'consultation_events.from_state',
            'consultation_events.to_state',
            'consultation_events.payload',
            'actor.name as actorName',
          ])
          .whereRef('consultation_events.consultation_id', '=', 'consultations.id')
          .orderBy('consultation_events.id'),
      ).as('events'),
    ])
    .where('consultations.id', '=', id);
}

/**
 * A council's reference for a number of its yearly series: PREFIX-2026-0001, with at least four
 * digits and more once a council passes 9999 in a year. The one place the format is written.
 */
function referenceText(prefix: unknown, year: unknown, number: RawBuilder<number>) {
  return sql<string>`${prefix}::text || '-' || ${year}::integer || '-' || lpad(${number}::text, greatest(4, length(${number}::text)), '0')`;
}

/** Takes the next number of a council's own reference series for a year; returns the reference. */
export async function takeReference(db: Executor, council: { id: number; reference_prefix: string }, year: number): Promise<string> {
  const row = await db
    .insertInto('reference_counters')
    .values({ council_id: council.id, year, last_number: 1 })
    .onConflict((oc) => oc.columns(['council_id', 'year']).doUpdateSet({ last_number: sql<number>`reference_counters.last_number + 1` }))
    .returning(referenceText(council.reference_prefix, year, sql<number>`reference_counters.last_number`).as('reference'))
    .executeTakeFirstOrThrow();
  return row.reference;
}

/** What is read of a response version, over response_versions joined with their authors as `users`. */
const VERSION_COLUMNS = [
  'response_versions.id',
  'response_versions.number',
  'response_versions.body',
  'response_versions.created_at',
  'users.name as authorName',
] as const;

/** The newest response version of a consultation with its author's name, or undefined. */
export function latestResponseVersion(db: Executor, consultationId: string) {
  return db
    .selectFrom('response_versions')
    .leftJoin('users', 'users.id', 'response_versions.author_id')
    .select([...VERSION_COLUMNS, 'users.email as authorEmail'])
    .where('response_versions.consultation_id', '=', consultationId)
    .orderBy('response_versions.number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The council's internals of a consultation in one round trip: every response version with its
 * author (oldest first), the comments on the drafts (oldest first) and, when `earlier` is given, the
 * council's most similar earlier responses (earlierResponsesSubquery). Timestamps come back as ISO
 * strings (JSON). Only for viewers who may read the internals (mayActorReadInternals).
 */
export function findConsultationInternals(db: Executor, consultationId: string, earlier?: EarlierFor) {
  return db
    .selectNoFrom((eb) => [
      // The council's earlier responses, only for those who may edit the draft; else an empty list.
      earlier ? jsonArrayFrom(earlierResponsesSubquery(eb, earlier)).as('earlier') : sql<EarlierRow[]>`'[]'::json`.as('earlier'),
      jsonArrayFrom(
        eb
          .selectFrom('response_versions')
          .leftJoin('users', 'users.id', 'response_versions.author_id')
          .select(VERSION_COLUMNS)
          .where('response_versions.consultation_id', '=', consultationId)
          .orderBy('response_versions.number'),
      ).as('versions'),
      jsonArrayFrom(
        eb
          .selectFrom('draft_comments')
          .leftJoin('users', 'users.id', 'draft_comments.author_id')
          .select([
            'draft_comments.id',
            'draft_comments.response_version_number',
            'draft_comments.body',
            'draft_comments.created_at',
            'users.name as authorName',
          ])
          .where('draft_comments.consultation_id', '=', consultationId)
          .orderBy('draft_comments.created_at')
          .orderBy('draft_comments.id'),
      ).as('comments'),
    ])
    .executeTakeFirstOrThrow();
}

/** The columns a transition may change, besides the version and the time. */
export type TransitionChanges = Pick<
  Updateable<ConsultationsTable>,
  | 'state'
  | 'snapshot'
  | 'machine_version'
  | 'council_id'
  | 'assignee_id'
  | 'reference'
  | 'deadline'
  | 'not_public_reason'
  | 'published_at'
  | 'intake_confirmed_at'
>;

/** One row for the event log: who did what, from which state to which. */
export interface EventRecord {
  actorId: number | null;
  type: string;
  fromState: string | null;
  toState: string;
  payload: Record<string, unknown>;
}

/** A response version to store with a transition (SAVE_DRAFT). */
export interface DraftRecord {
  number: number;
  body: string;
  authorId: number | null;
}

/**
 * The archived letter to store with a transition (SUBMIT with its letter). archived_documents has
 * a unique constraint on consultation_id and refuses UPDATE and DELETE, so a second letter for the
 * same consultation fails with unique_violation (23505) and a stored one never changes.
 */
export interface ArchiveRecord {
  pdf: Buffer;
  sha256: string;
  responseVersionId: number;
  templateVersion: string;
  submittedBy: number | null;
}

/** What some transitions store beside their event: SAVE_DRAFT a draft, SUBMIT its letter. */
export interface TransitionRecords {
  draft?: DraftRecord;
  archive?: ArchiveRecord;
}

/**
 * One state transition's writes, in the caller's transaction: the new state of a consultation
 * whose version is still `expectedVersion` (raising it by one), its event row and, for SAVE_DRAFT,
 * the new response version, for SUBMIT with its letter the archived letter; the event, the draft
 * and the letter are written only when the row was. Returns the row as written, the event's time
 * and stored payload (and the draft as stored, the archive row's id), or undefined when nothing
 * was written: someone else got there first.
 */
export async function updateConsultationAndAppendEvent(
  tx: Tx,
  id: string,
  expectedVersion: number,
  changes: TransitionChanges,
  event: EventRecord,
  { draft, archive }: TransitionRecords = {},
) {
  // One statement for the row, its event and its draft: each INSERT selects from the UPDATE's
  // RETURNING, so when the version check matched no row nothing else is written either, and the
  // transition costs one round trip instead of three (BENCHMARKS.md, transitions).
  const updated = tx.with('updated', (db) =>
    db
      .updateTable('consultations')
      .set({ ...changes, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .returningAll(),
  );
  const withEvent = updated.with('event', (db) =>
    db
      .insertInto('consultation_events')
      .columns(['consultation_id', 'actor_id', 'type', 'from_state', 'to_state', 'payload'])
      .expression((eb) =>
        eb
          .selectFrom('updated')
          .select([
            'updated.id',
            sql<number | null>`${event.actorId}::integer`.as('actor_id'),
            sql<string>`${event.type}::text`.as('type'),
            sql<string | null>`${event.fromState}::text`.as('from_state'),
            sql<string>`${event.toState}::text`.as('to_state'),
            sql<string>`${JSON.stringify(event.payload)}::jsonb`.as('payload'),
          ]),
      )
      .returning(['at', 'payload']),
  );
  const written = draft
    ? await withEvent
        .with('draft', (db) =>
          db
            .insertInto('response_versions')
            .columns(['consultation_id', 'number', 'body', 'author_id'])
            .expression((eb) =>
              eb
                .selectFrom('updated')
                .select([
                  'updated.id',
                  sql<number>`${draft.number}::integer`.as('number'),
                  sql<string>`${draft.body}::text`.as('body'),
                  sql<number | null>`${draft.authorId}::integer`.as('author_id'),
                ]),
            )
            .returning(['number', 'body', 'created_at']),
        )
        .selectFrom(['updated', 'event', 'draft'])
        .selectAll('updated')
        .select([
          'event.at as event_at',
          'event.payload as event_payload',
          'draft.number as draft_number',
          'draft.body as draft_body',
          'draft.created_at as draft_created_at',
        ])
        .executeTakeFirst()
    : await withEvent
        .selectFrom(['updated', 'event'])
        .selectAll('updated')
        .select(['event.at as event_at', 'event.payload as event_payload'])
        .executeTakeFirst();
  if (!written) return undefined;
  const { event_at, event_payload, draft_number, draft_body, draft_created_at, ...row } = written as typeof written &
    Partial<{ draft_number: number; draft_body: string; draft_created_at: Date }>;
  const storedDraft =
    draft_number === undefined ? undefined : { number: draft_number, body: draft_body as string, created_at: draft_created_at as Date };
  const archived = archive
    ? await tx
        .insertInto('archived_documents')
        .values({
          consultation_id: id,
          pdf: archive.pdf,
          sha256: archive.sha256,
          size_bytes: archive.pdf.length,
          response_version_id: archive.responseVersionId,
          template_version: archive.templateVersion,
          submitted_by: archive.submittedBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    : undefined;
  return { row, event: { at: event_at, payload: event_payload }, draft: storedDraft, archiveId: archived?.id };
}

/**
 * A new consultation and its first event rows, the events in the order given, in the caller's
 * transaction. With `reference`, the council's next reference number for the year is taken first.
 * Returns the row as stored and the events' times and payloads as stored.
 */
export async function insertConsultationWithEvents(
  tx: Tx,
  values: Omit<NewConsultation, 'reference'>,
  events: EventRecord[],
  reference: { councilId: number; prefix: string; year: number } | null,
) {
  const row = await tx
    .insertInto('consultations')
    .values({
      ...values,
      reference: reference ? await takeReference(tx, { id: reference.councilId, reference_prefix: reference.prefix }, reference.year) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const stored = await tx
    .insertInto('consultation_events')
    .values(
      events.map((event) => ({
        consultation_id: row.id,
        actor_id: event.actorId,
        type: event.type,
        from_state: event.fromState,
        to_state: event.toState,
        payload: JSON.stringify(event.payload),
      })),
    )
    .returning(['id', 'at', 'payload'])
    .execute();
  // A multi-row INSERT … RETURNING gives no order; the ids are in insertion order.
  return { row, events: stored.sort((a, b) => Number(a.id) - Number(b.id)) };
}
