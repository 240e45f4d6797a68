import { sql } from 'kysely';
import { FINAL_STATES } from '../../../workflows/consultation.machine.ts';
import type { Executor } from '../database.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/** Which half of the overview: open consultations (soonest deadline first) or finished ones (last changed first). */
export type OverviewPart = 'open' | 'finished';

/** The sort key of an overview row, as the branches hand it on. */
interface OverviewKey {
  id: string;
  deadline: Date;
  updated_at: Date;
}

/**
 * One half of the staff overview, at most `limit` rows: the open consultations soonest deadline
 * first, or the finished ones most recently changed first (a final consultation changes no more,
 * so updated_at is when it finished). Only the public columns the page shows, and the submission
 * date from the SUBMIT event's payload (never the snapshot). Only consultations with a council, of
 * the councils the viewer is given (visibleTo).
 *
 * As in the queue's list query (src/db/repositories/queue.ts), each council is its own branch that
 * reads at most `limit` keys in order from a partial index (open: (council_id, deadline, id) of
 * migration 2026-12-02T0300; finished: (council_id, updated_at, id) of 2026-12-05T0500), so the
 * cost is bounded by councils × limit and not by the municipality's history.
 */
export function listOverviewRows(db: Executor, filter: { viewer: Viewer; part: OverviewPart; limit: number }) {
  const open = filter.part === 'open';
  const branch = (councilId: number | 'any') =>
    db
      .selectFrom('consultations')
      .select(['consultations.id', 'consultations.deadline', 'consultations.updated_at'])
      .where((eb) =>
        eb.and([
          // Spelled `in` / `not in` FINAL_STATES, as the partial indexes' predicates are.
          open ? eb('consultations.state', 'not in', FINAL_STATES) : eb('consultations.state', 'in', FINAL_STATES),
          councilId === 'any' ? eb('consultations.council_id', 'is not', null) : eb('consultations.council_id', '=', councilId),
        ]),
      )
      .$call((q) =>
        open
          ? q.orderBy('consultations.deadline').orderBy('consultations.id')
          : q.orderBy('consultations.updated_at', 'desc').orderBy('consultations.id', 'desc'),
      )
      .limit(filter.limit);
  const councils = filter.viewer.isAdmin ? ['any' as const] : [...new Set(filter.viewer.councilIds)];
  if (councils.length === 0) return Promise.resolve([]);
  const union = sql.join(
    councils.map((c) => sql`(${branch(c)})`),
    sql` union all `,
  );
  return (
    db
      .selectFrom(sql<OverviewKey>`(${union})`.as('page'))
      .innerJoin('consultations', 'consultations.id', 'page.id')
      .innerJoin('councils', 'councils.id', 'consultations.council_id')
      // Who may see it is checked here, on the rows joined back, and not in the branches: there it would
      // add an OR (the viewer's own unassigned ones) that keeps PostgreSQL from reading the index in order.
      .where((eb) => visibleTo(eb, filter.viewer))
      .select((eb) => [
        'consultations.title',
        'consultations.authority',
        'consultations.reference',
        'consultations.state',
        'consultations.deadline',
        'councils.name as councilName',
        'councils.due_soon_working_days as councilDueSoonDays',
        eb
          .selectFrom('consultation_events')
          .select(sql<string>`consultation_events.payload->>'submittedAt'`.as('submittedAt'))
          .whereRef('consultation_events.consultation_id', '=', 'consultations.id')
          .where('consultation_events.type', '=', 'SUBMIT')
          .orderBy('consultation_events.id', 'desc')
          .limit(1)
          .as('submittedAt'),
      ])
      .$call((q) => (open ? q.orderBy('page.deadline').orderBy('page.id') : q.orderBy('page.updated_at', 'desc').orderBy('page.id', 'desc')))
      .limit(filter.limit)
      .execute()
  );
}
