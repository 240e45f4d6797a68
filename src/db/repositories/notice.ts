import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/** The most consultations one period's figures read; a council receives some tens a year. */
export const NOTICE_LIMIT = 2000;

/**
 * The council's consultations received in [from, to] (YYYY-MM-DD), oldest first, with what the
 * notice figures need: the deadline the authority first gave (before any extension: the first
 * EXTEND_DEADLINE's `previousDeadline`), how many extensions were recorded, and the council's
 * first meeting on or after the day the consultation was received.
 */
export function listNoticeRows(db: Executor, viewer: Viewer, councilId: number, from: string, to: string) {
  return db
    .selectFrom('consultations')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.authority',
      'consultations.received_at',
      'consultations.state',
      sql<Date>`coalesce((
        select (e.payload->>'previousDeadline')::timestamptz from consultation_events e
        where e.consultation_id = consultations.id and e.type = 'EXTEND_DEADLINE' order by e.id limit 1
      ), consultations.deadline)`.as('given_deadline'),
      sql<number>`(select count(*)::int from consultation_events e
        where e.consultation_id = consultations.id and e.type = 'EXTEND_DEADLINE')`.as('extensions'),
      sql<Date | null>`(select min(m.starts_at) from meetings m
        where m.council_id = consultations.council_id
          and m.starts_at >= (consultations.received_at::timestamp at time zone 'Europe/Copenhagen'))`.as('next_meeting'),
    ])
    .where('consultations.council_id', '=', councilId)
    .where('consultations.received_at', '>=', from)
    .where('consultations.received_at', '<=', to)
    .where((eb) => visibleTo(eb, viewer))
    .orderBy('consultations.received_at')
    .orderBy('consultations.id')
    .limit(NOTICE_LIMIT)
    .execute();
}
