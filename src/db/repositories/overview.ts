import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/**
 * The staff overview's lines, soonest deadline first: only the public columns it shows, and the
 * submission date from the SUBMIT event's payload (never the snapshot). Only consultations with a
 * council (the join leaves the unassigned out), of the councils the viewer is given (visibleTo).
 */
export function listOverviewRows(db: Executor, filter: { viewer: Viewer; limit: number }) {
  const query = db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
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
    ]);
  return query
    .where((eb) => visibleTo(eb, filter.viewer))
    .orderBy('consultations.deadline')
    .orderBy('consultations.id')
    .limit(filter.limit)
    .execute();
}
