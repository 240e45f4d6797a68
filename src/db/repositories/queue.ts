import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
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

/** The query behind {@link listQueueRows}, unexecuted (the benchmark explains it). */
export function queueRowsQuery(db: Executor, filter: QueueFilter, page: { after?: QueueKey; before?: QueueKey; limit: number }) {
  const backwards = page.before !== undefined;
  const key = page.after ?? page.before;
  const direction = backwards ? 'desc' : 'asc';
  return db
    .selectFrom('consultations')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .leftJoin('users as assignee', 'assignee.id', 'consultations.assignee_id')
    .select([
      'consultations.id',
      'consultations.reference',
      'consultations.title',
      'consultations.authority',
      'consultations.state',
      'consultations.deadline',
      'consultations.council_id',
      'councils.slug as councilSlug',
      'councils.name as councilName',
      'councils.due_soon_working_days as councilDueSoonDays',
      'assignee.name as assigneeName',
    ])
    .where((eb) => {
      const where = conditions(eb as unknown as ExpressionBuilder<Database, 'consultations'>, filter);
      if (key) {
        // Row-value comparison, so PostgreSQL can start the (deadline, id) index scan at the key.
        where.push(eb(eb.refTuple('consultations.deadline', 'consultations.id'), backwards ? '<' : '>', eb.tuple(key.deadline, key.id)));
      }
      return eb.and(where);
    })
    .orderBy('consultations.deadline', direction)
    .orderBy('consultations.id', direction)
    .limit(page.limit);
}

export type QueueRow = Awaited<ReturnType<typeof listQueueRows>>[number];

/** How many consultations match the filter. */
export async function countQueueRows(db: Executor, filter: QueueFilter): Promise<number> {
  const row = await db
    .selectFrom('consultations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where((eb) => eb.and(conditions(eb, filter)))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
