import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../database.ts';
import type { Database } from '../types.ts';

/** The queue's filter, already resolved to ids by the domain. */
export interface QueueFilter {
  /** What the user may see; undefined means every consultation (administrators). */
  visible?: { councilIds: number[]; createdBy: number };
  councilId?: number;
  /** Only these councils (e.g. where the user is chair). */
  inCouncils?: number[];
  state?: string;
  /** Leave out consultations in these (final) states. */
  excludeStates?: readonly string[];
  assigneeId?: number;
  deadlineFrom?: Date;
  deadlineBefore?: Date;
  q?: string;
}

/** The sort key of a queue row: soonest deadline first, then id. */
export interface QueueKey {
  deadline: Date;
  id: string;
}

function conditions(eb: ExpressionBuilder<Database, 'consultations'>, filter: QueueFilter): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  if (filter.visible) {
    const { councilIds, createdBy } = filter.visible;
    const visible: Expression<SqlBool>[] = [eb.and([eb('consultations.council_id', 'is', null), eb('consultations.created_by', '=', createdBy)])];
    if (councilIds.length > 0) visible.unshift(eb('consultations.council_id', 'in', councilIds));
    where.push(eb.or(visible));
  }
  if (filter.councilId !== undefined) where.push(eb('consultations.council_id', '=', filter.councilId));
  if (filter.inCouncils) where.push(filter.inCouncils.length > 0 ? eb('consultations.council_id', 'in', filter.inCouncils) : eb.val(false));
  if (filter.state !== undefined) where.push(eb('consultations.state', '=', filter.state));
  if (filter.excludeStates && filter.excludeStates.length > 0) where.push(eb('consultations.state', 'not in', [...filter.excludeStates]));
  if (filter.assigneeId !== undefined) where.push(eb('consultations.assignee_id', '=', filter.assigneeId));
  if (filter.deadlineFrom) where.push(eb('consultations.deadline', '>=', filter.deadlineFrom));
  if (filter.deadlineBefore) where.push(eb('consultations.deadline', '<', filter.deadlineBefore));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      eb.or([
        eb('consultations.title', 'ilike', pattern),
        eb('consultations.authority', 'ilike', pattern),
        eb('consultations.reference', 'ilike', pattern),
        eb('consultations.authority_reference', 'ilike', pattern),
      ]),
    );
  }
  return where;
}

/**
 * One page of the queue: only the columns the list shows (not the snapshot), with the council's
 * and the assignee's names. `after` pages forward; `before` pages back and returns the rows in
 * reverse order (latest first), for the caller to turn around.
 */
export function listQueueRows(db: Executor, filter: QueueFilter, page: { after?: QueueKey; before?: QueueKey; limit: number }) {
  return queueRowsQuery(db, filter, page).execute();
}

/** The consultations of one council, or the unassigned ones one user registered. */
type Partition = { councilId: number } | { createdBy: number };

/** The partitions a filter limits the queue to; undefined when it is not limited (administrators). */
function partitionsOf(filter: QueueFilter): Partition[] | undefined {
  let parts: Partition[] | undefined;
  if (filter.visible) {
    parts = [...filter.visible.councilIds.map((councilId) => ({ councilId })), { createdBy: filter.visible.createdBy }];
  }
  if (filter.inCouncils) {
    const allowed = filter.inCouncils;
    parts = (parts ?? allowed.map((councilId) => ({ councilId }))).filter((p) => 'councilId' in p && allowed.includes(p.councilId));
  }
  if (parts && filter.councilId !== undefined) parts = parts.filter((p) => 'councilId' in p && p.councilId === filter.councilId);
  return parts;
}

interface QueueBase {
  id: string;
  reference: string | null;
  title: string;
  authority: string;
  state: string;
  deadline: Date;
  council_id: number | null;
  assignee_id: number | null;
}

/**
 * The query behind {@link listQueueRows}, unexecuted (the benchmark explains it).
 *
 * A user sees a few councils out of hundreds. One query with `council_id IN (...)` and
 * `ORDER BY deadline, id LIMIT n` leaves PostgreSQL two poor plans: walk the deadline index of every
 * council's consultations and throw most away, or fetch all of the user's and sort them. So each
 * council (and the user's own unassigned ones) is its own branch that reads at most `limit` rows in
 * order from the (council_id, deadline, id) index (or the partial index of unassigned ones by
 * creator), and a merge of the branches gives the page.
 */
export function queueRowsQuery(db: Executor, filter: QueueFilter, page: { after?: QueueKey; before?: QueueKey; limit: number }) {
  const backwards = page.before !== undefined;
  const key = page.after ?? page.before;
  const direction = backwards ? 'desc' : 'asc';
  const rest: QueueFilter = { ...filter, visible: undefined, inCouncils: undefined };
  const branch = (partition: Partition | 'all' | 'none') =>
    db
      .selectFrom('consultations')
      .select([
        'consultations.id',
        'consultations.reference',
        'consultations.title',
        'consultations.authority',
        'consultations.state',
        'consultations.deadline',
        'consultations.council_id',
        'consultations.assignee_id',
      ])
      .where((eb) => {
        const where = conditions(eb, partition === 'all' ? filter : rest);
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
  const parts = partitionsOf(filter);
  const branches = parts === undefined ? [branch('all')] : parts.length === 0 ? [branch('none')] : parts.map(branch);
  const union = sql.join(
    branches.map((b) => sql`(${b})`),
    sql` union all `,
  );
  return db
    .selectFrom(sql<QueueBase>`(${union})`.as('page'))
    .leftJoin('councils', 'councils.id', 'page.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'page.assignee_id')
    .select([
      'page.id',
      'page.reference',
      'page.title',
      'page.authority',
      'page.state',
      'page.deadline',
      'page.council_id',
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.name as assigneeName',
    ])
    .orderBy('page.deadline', direction)
    .orderBy('page.id', direction)
    .limit(page.limit);
}

export type QueueRow = Awaited<ReturnType<typeof listQueueRows>>[number];

/**
 * How many consultations match the filter, counting at most `upTo` + 1 of them: the count stops
 * there, so it costs the same for a filter that matches the whole table. A result above `upTo`
 * means "more than `upTo`".
 */
export async function countQueueRows(db: Executor, filter: QueueFilter, upTo: number): Promise<number> {
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
