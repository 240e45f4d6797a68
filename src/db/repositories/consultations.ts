import { sql, type ExpressionBuilder, type RawBuilder, type Updateable } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Executor, Tx } from '../database.ts';
import { statementTemplate } from '../prepared.ts';
import type { ConsultationsTable, Database, NewConsultation } from '../types.ts';

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
export async function lockConsultationWithDetails(tx: Tx, id: string): Promise<ConsultationDetailsRow | undefined> {
  const result = await tx.executeQuery(lockDetailsStatement.bind(tx, { id }));
  return result.rows[0];
}

// Every transition starts here and the query never changes shape: built and compiled once.
const lockDetailsStatement = statementTemplate((db, slot: (name: 'id') => never) =>
  consultationDetailsQuery(db, slot('id')).forUpdate('consultations'),
);

/** A consultation row with its council's and assignee's names, its newest draft and its event log. */
export type ConsultationDetailsRow = NonNullable<Awaited<ReturnType<typeof findConsultationDetails>>>;

/**
 * Every column of a consultation, listed rather than `*` in the prepared statements: a prepared
 * statement whose `*` grows a column (a migration run by a newer app process) fails with "cached
 * plan must not change result type" in every process that prepared it before.
 */
export const CONSULTATION_COLUMNS = [
  'id',
  'reference',
  'council_id',
  'assignee_id',
  'title',
  'authority',
  'authority_reference',
  'authority_email',
  'received_at',
  'deadline',
  'summary',
  'source_url',
  'state',
  'snapshot',
  'machine_version',
  'version',
  'created_by',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ConsultationsTable)[];

/**
 * The newest response version of the consultation in the outer query, for a subquery that adds
 * what it selects.
 */
export function newestResponseVersion(eb: ExpressionBuilder<Database, 'consultations'>) {
  return (
    eb
      .selectFrom('response_versions')
      .whereRef('response_versions.consultation_id', '=', 'consultations.id')
      .orderBy('response_versions.number', 'desc')
      // A literal, not a parameter: with LIMIT $1 PostgreSQL cannot tell that the generic plan of
      // a prepared statement is as cheap as a custom one, and re-plans on every call.
      .limit(sql.lit(1))
  );
}

function consultationDetailsQuery(db: Executor, id: string) {
  return db
    .selectFrom('consultations')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'consultations.assignee_id')
    .select(CONSULTATION_COLUMNS.map((column) => `consultations.${column}` as const))
    .select((eb) => [
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.email as assigneeEmail',
      'assignee.name as assigneeName',
      jsonObjectFrom(
        newestResponseVersion(eb)
          .leftJoin('users as author', 'author.id', 'response_versions.author_id')
          .select([
            'response_versions.number',
            'response_versions.body',
            'response_versions.created_at',
            'author.name as authorName',
          ]),
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
    .onConflict((oc) =>
      oc.columns(['council_id', 'year']).doUpdateSet({ last_number: sql<number>`reference_counters.last_number + 1` }),
    )
    .returning(referenceText(council.reference_prefix, year, sql<number>`reference_counters.last_number`).as('reference'))
    .executeTakeFirstOrThrow();
  return row.reference;
}

/** The newest response version of a consultation with its author's name, or undefined. */
export function latestResponseVersion(db: Executor, consultationId: string) {
  return db
    .selectFrom('response_versions')
    .leftJoin('users', 'users.id', 'response_versions.author_id')
    .select([
      'response_versions.id',
      'response_versions.number',
      'response_versions.body',
      'response_versions.created_at',
      'users.name as authorName',
      'users.email as authorEmail',
    ])
    .where('response_versions.consultation_id', '=', consultationId)
    .orderBy('response_versions.number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every response version of a consultation, oldest first. */
export function listResponseVersions(db: Executor, consultationId: string) {
  return db
    .selectFrom('response_versions')
    .leftJoin('users', 'users.id', 'response_versions.author_id')
    .select([
      'response_versions.id',
      'response_versions.number',
      'response_versions.body',
      'response_versions.created_at',
      'users.name as authorName',
    ])
    .where('response_versions.consultation_id', '=', consultationId)
    .orderBy('response_versions.number')
    .execute();
}

/** The columns a transition may change, besides the version and the time. */
export type TransitionChanges = Pick<
  Updateable<ConsultationsTable>,
  'state' | 'snapshot' | 'machine_version' | 'council_id' | 'assignee_id' | 'reference' | 'deadline'
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

type TransitionSlot =
  | 'id'
  | 'expectedVersion'
  | keyof TransitionChanges
  | 'actorId'
  | 'type'
  | 'fromState'
  | 'toState'
  | 'payload'
  | 'draftNumber'
  | 'draftBody'
  | 'draftAuthorId'
  | 'hasDraft'
  | 'archivePdf'
  | 'archiveSha256'
  | 'archiveSize'
  | 'archiveResponseVersionId'
  | 'archiveTemplateVersion'
  | 'archiveSubmittedBy'
  | 'hasArchive';

const TRANSITION_RESULT_COLUMNS = [
  'id',
  'version',
  'state',
  'snapshot',
  'machine_version',
  'updated_at',
  'council_id',
  'assignee_id',
  'reference',
  'deadline',
] as const satisfies readonly (keyof ConsultationsTable)[];

/** The columns of a consultation a transition returns as written. */
export type TransitionResultColumn = (typeof TRANSITION_RESULT_COLUMNS)[number];

function transitionQuery(db: Executor, slot: (name: TransitionSlot) => never, changed: (keyof TransitionChanges)[]) {
  const set: Record<string, unknown> = {};
  for (const column of changed) set[column] = slot(column);
  return db
    .with('updated', (qb) =>
      qb
        .updateTable('consultations')
        .set({ ...set, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
        .where('id', '=', slot('id'))
        .where('version', '=', slot('expectedVersion'))
        .returningAll(),
    )
    .with('event', (qb) =>
      qb
        .insertInto('consultation_events')
        .columns(['consultation_id', 'actor_id', 'type', 'from_state', 'to_state', 'payload'])
        .expression((eb) =>
          eb
            .selectFrom('updated')
            .select([
              'updated.id',
              sql<number | null>`${slot('actorId')}::integer`.as('actor_id'),
              sql<string>`${slot('type')}::text`.as('type'),
              sql<string | null>`${slot('fromState')}::text`.as('from_state'),
              sql<string>`${slot('toState')}::text`.as('to_state'),
              sql<string>`${slot('payload')}::jsonb`.as('payload'),
            ]),
        )
        .returning(['at', 'payload']),
    )
    .with('draft', (qb) =>
      qb
        .insertInto('response_versions')
        .columns(['consultation_id', 'number', 'body', 'author_id'])
        .expression((eb) =>
          eb
            .selectFrom('updated')
            .select([
              'updated.id',
              sql<number>`${slot('draftNumber')}::integer`.as('number'),
              sql<string>`${slot('draftBody')}::text`.as('body'),
              sql<number | null>`${slot('draftAuthorId')}::integer`.as('author_id'),
            ])
            .where(sql<boolean>`${slot('hasDraft')}::boolean`),
        )
        .returning(['number', 'body', 'created_at']),
    )
    .with('archive', (qb) =>
      qb
        .insertInto('archived_documents')
        .columns(['consultation_id', 'pdf', 'sha256', 'size_bytes', 'response_version_id', 'template_version', 'submitted_by'])
        .expression((eb) =>
          eb
            .selectFrom('updated')
            .select([
              'updated.id',
              sql<Buffer>`${slot('archivePdf')}::bytea`.as('pdf'),
              sql<string>`${slot('archiveSha256')}::text`.as('sha256'),
              sql<number>`${slot('archiveSize')}::integer`.as('size_bytes'),
              sql<number>`${slot('archiveResponseVersionId')}::integer`.as('response_version_id'),
              sql<string>`${slot('archiveTemplateVersion')}::text`.as('template_version'),
              sql<number | null>`${slot('archiveSubmittedBy')}::integer`.as('submitted_by'),
            ])
            .where(sql<boolean>`${slot('hasArchive')}::boolean`),
        )
        .returning(['id']),
    )
    .selectFrom(['updated', 'event'])
    // What a transition can change; the caller has the rest from the row it locked.
    .select([...TRANSITION_RESULT_COLUMNS.map((column) => `updated.${column}` as const), 'event.at as eventAt', 'event.payload as eventPayload'])
    .select((eb) => jsonObjectFrom(eb.selectFrom('draft').select(['draft.number', 'draft.body', 'draft.created_at'])).as('draft'))
    .select((eb) => eb.selectFrom('archive').select('archive.id').as('archiveId'));
}

type TransitionTemplate = ReturnType<typeof statementTemplate<TransitionSlot, TransitionRow>>;
type TransitionRow = Awaited<ReturnType<ReturnType<typeof transitionQuery>['executeTakeFirstOrThrow']>>;

// One compiled statement per set of changed columns; there are a handful (see applyEvent).
const transitionTemplates = new Map<string, TransitionTemplate>();

/**
 * One state transition's writes in one statement: the new state of a consultation whose version
 * is still `expectedVersion` (raising it by one), its event row and, for SAVE_DRAFT, the new
 * response version, for SUBMIT with its letter the archived letter; the event, the draft and the
 * letter are written only when the row was. Returns the columns a transition can change as
 * written, the event's time and stored payload (and the draft as stored, the archive row's id),
 * or undefined when nothing was written: someone else got there first.
 */
export async function updateConsultationAndAppendEvent(
  tx: Tx,
  id: string,
  expectedVersion: number,
  changes: TransitionChanges,
  event: EventRecord,
  { draft, archive }: TransitionRecords = {},
) {
  const changed = (Object.keys(changes) as (keyof TransitionChanges)[]).filter((key) => changes[key] !== undefined).sort();
  const shape = changed.join(',');
  let template = transitionTemplates.get(shape);
  if (!template) {
    template = statementTemplate((db, slot: (name: TransitionSlot) => never) => transitionQuery(db, slot, changed));
    transitionTemplates.set(shape, template);
  }
  const query = template.bind(tx, {
    ...changes,
    id,
    expectedVersion,
    actorId: event.actorId,
    type: event.type,
    fromState: event.fromState,
    toState: event.toState,
    payload: JSON.stringify(event.payload),
    draftNumber: draft?.number ?? null,
    draftBody: draft?.body ?? null,
    draftAuthorId: draft?.authorId ?? null,
    hasDraft: draft !== undefined,
    archivePdf: archive?.pdf ?? null,
    archiveSha256: archive?.sha256 ?? null,
    archiveSize: archive?.pdf.length ?? null,
    archiveResponseVersionId: archive?.responseVersionId ?? null,
    archiveTemplateVersion: archive?.templateVersion ?? null,
    archiveSubmittedBy: archive?.submittedBy ?? null,
    hasArchive: archive !== undefined,
  } as Record<TransitionSlot, unknown>);
  const [row] = (await tx.executeQuery(query)).rows;
  if (!row) return undefined;
  const { eventAt, eventPayload, draft: storedDraft, archiveId, ...consultation } = row;
  return { row: consultation, event: { at: eventAt, payload: eventPayload }, draft: storedDraft, archiveId: archiveId ?? undefined };
}

/**
 * A new consultation and its first event rows in one statement, the events in the order given.
 * With `reference`, the council's next reference number for the year is taken in the same
 * statement. Returns the row as stored and the events' times and payloads as stored.
 */
export async function insertConsultationWithEvents(
  db: Executor,
  values: Omit<NewConsultation, 'reference'>,
  events: EventRecord[],
  reference: { councilId: number; prefix: string; year: number } | null,
) {
  const query = insertWithEventsStatement.bind(db, {
    ...values,
    referenceCouncilId: reference?.councilId ?? null,
    referencePrefix: reference?.prefix ?? null,
    referenceYear: reference?.year ?? null,
    actorIds: events.map((e) => e.actorId),
    types: events.map((e) => e.type),
    fromStates: events.map((e) => e.fromState),
    toStates: events.map((e) => e.toState),
    payloads: events.map((e) => JSON.stringify(e.payload)),
  } as Record<InsertSlot, unknown>);
  const row = (await db.executeQuery(query)).rows[0];
  if (!row) throw new Error('insert returned no row');
  const { events: stored, ...consultation } = row;
  return { row: consultation, events: stored };
}

type InsertSlot =
  | Exclude<keyof NewConsultation, 'id' | 'reference' | 'created_at' | 'updated_at'>
  | 'referenceCouncilId'
  | 'referencePrefix'
  | 'referenceYear'
  | 'actorIds'
  | 'types'
  | 'fromStates'
  | 'toStates'
  | 'payloads';

/** Columns a registration does not bind: the database gives the id and the times, the statement computes the reference. */
const GENERATED_ON_INSERT = ['id', 'reference', 'created_at', 'updated_at'] as const;
/** Columns a registration binds, one slot each. */
const INSERTED_COLUMNS = CONSULTATION_COLUMNS.filter(
  (column): column is Exclude<(typeof CONSULTATION_COLUMNS)[number], (typeof GENERATED_ON_INSERT)[number]> =>
    !(GENERATED_ON_INSERT as readonly string[]).includes(column),
) satisfies readonly InsertSlot[];

const insertWithEventsStatement = statementTemplate((db, slot: (name: InsertSlot) => never) => {
  const values: Record<string, unknown> = {};
  for (const column of INSERTED_COLUMNS) values[column] = slot(column);
  return db
    .with('counter', (qb) =>
      qb
        .insertInto('reference_counters')
        .columns(['council_id', 'year', 'last_number'])
        .expression(
          sql`select ${slot('referenceCouncilId')}::integer, ${slot('referenceYear')}::integer, 1
              where ${slot('referenceCouncilId')}::integer is not null`,
        )
        .onConflict((oc) =>
          oc.columns(['council_id', 'year']).doUpdateSet({ last_number: sql<number>`reference_counters.last_number + 1` }),
        )
        .returning('last_number'),
    )
    .with('inserted', (qb) =>
      qb
        .insertInto('consultations')
        .values({
          ...(values as unknown as Omit<NewConsultation, 'reference'>),
          reference: sql<string>`(select ${referenceText(slot('referencePrefix'), slot('referenceYear'), sql<number>`last_number`)} from counter)`,
        })
        .returningAll(),
    )
    .with('events', (qb) =>
      qb
        .insertInto('consultation_events')
        .columns(['consultation_id', 'actor_id', 'type', 'from_state', 'to_state', 'payload'])
        .expression(
          sql`select inserted.id, e.actor_id, e.type, e.from_state, e.to_state, e.payload
              from inserted cross join unnest(${slot('actorIds')}::integer[], ${slot('types')}::text[],
                ${slot('fromStates')}::text[], ${slot('toStates')}::text[], ${slot('payloads')}::jsonb[])
                with ordinality as e(actor_id, type, from_state, to_state, payload, ord)
              order by e.ord`,
        )
        .returning(['id', 'at', 'payload']),
    )
    .selectFrom('inserted')
    .select(CONSULTATION_COLUMNS.map((column) => `inserted.${column}` as const))
    .select((eb) =>
      jsonArrayFrom(eb.selectFrom('events').select(['events.at', 'events.payload']).orderBy('events.id')).as('events'),
    );
});
