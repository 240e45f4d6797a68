import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../database.ts';
import type { Database } from '../types.ts';
import { partitionsOf, visibleTo, type Partition, type Viewer } from '../visibility.ts';

/**
 * A filter of the one list of consultations (the queue, its search and the API list), already
 * resolved to ids by the domain.
 */
export interface ListFilter {
  /** Who is looking: the list holds only what they may see (visibleTo). */
  viewer: Viewer;
  councilId?: number;
  /** Only these councils (e.g. where the user is chair). */
  inCouncils?: number[];
  /** Only these states. */
  states?: readonly string[];
  /** Leave out consultations in these (final) states. */
  excludeStates?: readonly string[];
  assigneeId?: number;
  deadlineFrom?: Date;
  deadlineBefore?: Date;
  q?: string;
}

/** The sort key of a list row: soonest deadline first, then id. */
export interface ListKey {
  deadline: Date;
  id: string;
}

/** Which page of the list: after or before a key (or the first page), at most `limit` rows. */
export interface ListPage {
  after?: ListKey;
  before?: ListKey;
  limit: number;
}

function conditions(eb: ExpressionBuilder<Database, 'consultations'>, filter: ListFilter): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [visibleTo(eb, filter.viewer)];
  if (filter.councilId !== undefined) where.push(eb('consultations.council_id', '=', filter.councilId));
  if (filter.inCouncils) where.push(filter.inCouncils.length > 0 ? eb('consultations.council_id', 'in', filter.inCouncils) : eb.val(false));
  if (filter.states && filter.states.length > 0) where.push(eb('consultations.state', 'in', [...filter.states]));
  if (filter.excludeStates && filter.excludeStates.length > 0) where.push(eb('consultations.state', 'not in', [...filter.excludeStates]));
  if (filter.assigneeId !== undefined) where.push(eb('consultations.assignee_id', '=', filter.assigneeId));
  if (filter.deadlineFrom) where.push(eb('consultations.deadline', '>=', filter.deadlineFrom));
  if (filter.deadlineBefore) where.push(eb('consultations.deadline', '<', filter.deadlineBefore));
  if (filter.q) {
    // Served by the trigram index (migration 2026-12-02T0200_search_trigram_index).
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      eb.or([
        eb('consultations.title', 'ilike', pattern),
        eb('consultations.authority', 'ilike', pattern),
        eb('consultations.reference', 'ilike', pattern),
        eb('consultations.authority_reference', 'ilike', pattern),
        // The Danish full-text search of issue 18 (search_entries): a stem of the words
        // ("høringer" for "høring") in the consultation or the text of its documents. Drafts and
        // comments are left out here: the queue is also the staff's list (see /search for them).
        eb(
          'consultations.id',
          'in',
          eb
            .selectFrom('search_entries')
            .select('search_entries.consultation_id')
            .where('search_entries.kind', 'in', ['consultation', 'document'])
            .where(sql<SqlBool>`search_entries.tsv @@ plainto_tsquery('danish', ${filter.q})`),
        ),
      ]),
    );
  }
  return where;
}

/** The partitions a filter limits the list to; undefined when it is not limited (administrators). */
function partitionsFor(filter: ListFilter): Partition[] | undefined {
  let parts = partitionsOf(filter.viewer);
  if (filter.inCouncils) {
    const allowed = filter.inCouncils;
    parts = (parts ?? allowed.map((councilId) => ({ councilId }))).filter((p) => 'councilId' in p && allowed.includes(p.councilId));
  }
  if (parts && filter.councilId !== undefined) parts = parts.filter((p) => 'councilId' in p && p.councilId === filter.councilId);
  return parts;
}

/**
 * The list query: the ids and sort keys of one page, joined back to the consultations, their
 * councils and assignees, for the caller to select the projection it needs.
 *
 * A user sees a few councils out of hundreds. One query with `council_id IN (...)` and
 * `ORDER BY deadline, id LIMIT n` leaves PostgreSQL two poor plans: walk the deadline index of every
 * council's consultations and throw most away, or fetch all of the user's and sort them. So each
 * council (and the user's own unassigned ones) is its own branch that reads at most `limit` keys in
 * order from the (council_id, deadline, id) index (or the partial index of unassigned ones by
 * creator), and a merge of the branches gives the page. `before` pages back: the rows come in
 * reverse order (latest first), for the caller to turn around.
 */
function listQuery(db: Executor, filter: ListFilter, page: ListPage) {
  const backwards = page.before !== undefined;
  const key = page.after ?? page.before;
  const direction = backwards ? 'desc' : 'asc';
  const branch = (partition: Partition | 'all' | 'none') =>
    db
      .selectFrom('consultations')
      .select(['consultations.id', 'consultations.deadline'])
      .where((eb) => {
        const where = conditions(eb, filter);
        if (partition === 'none') where.push(eb.val(false));
        else if (partition !== 'all' && 'councilId' in partition) where.push(eb('consultations.council_id', '=', partition.councilId));
        else if (partition !== 'all') {
          where.push(eb('consultations.council_id', 'is', null), eb('consultations.created_by', '=', partition.createdBy));
        }
        if (key) {
          // Row-value comparison, so PostgreSQL starts the (deadline, id) index scan at the key.
          where.push(eb(eb.refTuple('consultations.deadline', 'consultations.id'), backwards ? '<' : '>', eb.tuple(key.deadline, key.id)));
        }
        return eb.and(where);
      })
      .orderBy('consultations.deadline', direction)
      .orderBy('consultations.id', direction)
      .limit(page.limit);
  const parts = partitionsFor(filter);
  const branches = parts === undefined ? [branch('all')] : parts.length === 0 ? [branch('none')] : parts.map(branch);
  const union = sql.join(
    branches.map((b) => sql`(${b})`),
    sql` union all `,
  );
  return db
    .selectFrom(sql<ListKey>`(${union})`.as('page'))
    .innerJoin('consultations', 'consultations.id', 'page.id')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'consultations.assignee_id')
    .orderBy('page.deadline', direction)
    .orderBy('page.id', direction)
    .limit(page.limit);
}

/** One page of the queue: only the columns the queue shows (not the snapshot), with the council's and the assignee's names. */
export function queueRowsQuery(db: Executor, filter: ListFilter, page: ListPage) {
  return listQuery(db, filter, page).select([
    'consultations.id',
    'consultations.reference',
    'consultations.title',
    'consultations.authority',
    'consultations.state',
    'consultations.deadline',
    'consultations.council_id',
    'consultations.intake_source',
    'consultations.intake_confirmed_at',
    'councils.slug as councilSlug',
    'councils.name as councilName',
    'councils.due_soon_working_days as councilDueSoonDays',
    'assignee.name as assigneeName',
  ]);
}

/** One page of the queue (see queueRowsQuery). */
export function listQueueRows(db: Executor, filter: ListFilter, page: ListPage) {
  return queueRowsQuery(db, filter, page).execute();
}

export type QueueRow = Awaited<ReturnType<typeof listQueueRows>>[number];

/** One page of whole consultations (every column, with council and assignee names), for views that need the snapshot (the API list). */
export function listConsultationRows(db: Executor, filter: ListFilter, page: ListPage) {
  return listQuery(db, filter, page)
    .selectAll('consultations')
    .select([
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.email as assigneeEmail',
      'assignee.name as assigneeName',
    ])
    .execute();
}

/**
 * How many consultations match the filter, counting at most `upTo` + 1 of them: the count stops
 * there, so it costs the same for a filter that matches the whole table. A result above `upTo`
 * means "more than `upTo`".
 */
export async function countQueueRows(db: Executor, filter: ListFilter, upTo: number): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('consultations')
        .select(sql.lit(1).as('one'))
        .where((inner) => inner.and(conditions(inner, filter)))
        .limit(upTo + 1)
        .as('matching'),
    )
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
