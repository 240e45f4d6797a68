import { sql, type CompiledQuery } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Executor, Tx } from '../database.ts';
import type { ConsultationsTable, NewConsultation } from '../types.ts';
import type { Updateable } from 'kysely';

/** Inserts a consultation and returns its row. */
export function insertConsultation(db: Executor, values: NewConsultation) {
  return db.insertInto('consultations').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The consultation row, locked for the rest of the transaction so no other event interleaves. */
export function lockConsultation(tx: Tx, id: string) {
  return tx.selectFrom('consultations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The consultation row, or undefined. */
export function findConsultationRow(db: Executor, id: string) {
  return db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Writes a new state for a consultation whose version is still `expectedVersion`, raising it by one.
 * Returns the number of rows written: 0 means someone else got there first.
 */
export async function updateConsultationIfVersion(
  tx: Executor,
  id: string,
  expectedVersion: number,
  changes: Updateable<ConsultationsTable>,
): Promise<number> {
  const result = await tx
    .updateTable('consultations')
    .set({ ...changes, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
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
  // Every transition starts here, and the query never changes shape: build and compile it once,
  // then only bind the id (building this nested query costs more CPU than running it).
  lockDetailsCompiled ??= consultationDetailsQuery(tx, ID_PLACEHOLDER).forUpdate('consultations').compile();
  const compiled = lockDetailsCompiled;
  const parameters = compiled.parameters.map((value) => (value === ID_PLACEHOLDER ? id : value));
  const result = await tx.executeQuery<ConsultationDetailsRow>({ ...compiled, parameters });
  return result.rows[0];
}

const ID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000 (id)';
let lockDetailsCompiled: CompiledQuery<ConsultationDetailsRow> | undefined;

/** A consultation row with its council's and assignee's names, its newest draft and its event log. */
export type ConsultationDetailsRow = NonNullable<Awaited<ReturnType<typeof findConsultationDetails>>>;

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
        eb
          .selectFrom('response_versions')
          .leftJoin('users as author', 'author.id', 'response_versions.author_id')
          .select([
            'response_versions.number',
            'response_versions.body',
            'response_versions.created_at',
            'author.name as authorName',
          ])
          .whereRef('response_versions.consultation_id', '=', 'consultations.id')
          .orderBy('response_versions.number', 'desc')
          .limit(1),
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

/** Takes the next number of a council's own reference series for a year. */
export async function takeReferenceNumber(db: Executor, councilId: number, year: number): Promise<number> {
  const row = await db
    .insertInto('reference_counters')
    .values({ council_id: councilId, year, last_number: 1 })
    .onConflict((oc) =>
      oc.columns(['council_id', 'year']).doUpdateSet({ last_number: sql<number>`reference_counters.last_number + 1` }),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

/** Appends a response version. */
export function insertResponseVersion(
  db: Executor,
  version: { consultationId: string; number: number; body: string; authorId: number | null },
) {
  return db
    .insertInto('response_versions')
    .values({
      consultation_id: version.consultationId,
      number: version.number,
      body: version.body,
      author_id: version.authorId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
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

/** Filters for a list of consultations; `councilIds` undefined means every council (admins). */
export interface ConsultationListFilter {
  councilIds?: number[];
  /** Also include unassigned consultations this user registered. */
  createdBy?: number;
  state?: string[];
  councilId?: number;
  assigneeId?: number;
  q?: string;
  deadlineBefore?: Date;
  deadlineAfter?: Date;
  excludeStates?: string[];
  after?: { deadline: Date; id: string };
  limit: number;
}

/** Consultations matching a filter, soonest deadline first, with council and assignee names. */
export function listConsultationRows(db: Executor, filter: ConsultationListFilter) {
  let query = db
    .selectFrom('consultations')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'consultations.assignee_id')
    .selectAll('consultations')
    .select([
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.email as assigneeEmail',
      'assignee.name as assigneeName',
    ]);
  const { councilIds, createdBy } = filter;
  if (councilIds !== undefined) {
    query = query.where((eb) => {
      const visible = [];
      if (councilIds.length > 0) visible.push(eb('consultations.council_id', 'in', councilIds));
      if (createdBy !== undefined) {
        visible.push(eb.and([eb('consultations.council_id', 'is', null), eb('consultations.created_by', '=', createdBy)]));
      }
      return visible.length > 0 ? eb.or(visible) : eb.val(false);
    });
  }
  if (filter.state && filter.state.length > 0) query = query.where('consultations.state', 'in', filter.state);
  if (filter.excludeStates && filter.excludeStates.length > 0) {
    query = query.where('consultations.state', 'not in', filter.excludeStates);
  }
  if (filter.councilId !== undefined) query = query.where('consultations.council_id', '=', filter.councilId);
  if (filter.assigneeId !== undefined) query = query.where('consultations.assignee_id', '=', filter.assigneeId);
  if (filter.deadlineBefore) query = query.where('consultations.deadline', '<', filter.deadlineBefore);
  if (filter.deadlineAfter) query = query.where('consultations.deadline', '>=', filter.deadlineAfter);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('consultations.title', 'ilike', pattern),
        eb('consultations.authority', 'ilike', pattern),
        eb('consultations.reference', 'ilike', pattern),
        eb('consultations.authority_reference', 'ilike', pattern),
      ]),
    );
  }
  if (filter.after) {
    const { deadline, id } = filter.after;
    query = query.where((eb) =>
      eb.or([
        eb('consultations.deadline', '>', deadline),
        eb.and([eb('consultations.deadline', '=', deadline), eb('consultations.id', '>', id)]),
      ]),
    );
  }
  return query.orderBy('consultations.deadline').orderBy('consultations.id').limit(filter.limit).execute();
}

export type ConsultationListRow = Awaited<ReturnType<typeof listConsultationRows>>[number];

/**
 * One state transition's writes in one statement: the new state of a consultation whose version
 * is still `expectedVersion` (raising it by one) and, only when that row was written, its event
 * row. Returns the row as written with the event's time and stored payload, or undefined when
 * nothing was written: someone else got there first. (Two statements would cost one more round
 * trip per transition; the event can still never be written without the state change.)
 */
export async function updateConsultationAndAppendEvent(
  tx: Tx,
  id: string,
  expectedVersion: number,
  changes: Updateable<ConsultationsTable>,
  event: { actorId: number | null; type: string; fromState: string | null; toState: string; payload: Record<string, unknown> },
) {
  const row = await tx
    .with('updated', (db) =>
      db
        .updateTable('consultations')
        .set({ ...changes, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll(),
    )
    .with('event', (db) =>
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
    )
    .selectFrom(['updated', 'event'])
    .selectAll('updated')
    .select(['event.at as eventAt', 'event.payload as eventPayload'])
    .executeTakeFirst();
  if (!row) return undefined;
  const { eventAt, eventPayload, ...consultation } = row;
  return { row: consultation, event: { at: eventAt, payload: eventPayload } };
}
