import type { Executor } from '../database.ts';

/** Adds a meeting to a council's calendar. */
export function insertMeeting(db: Executor, meeting: { councilId: number; startsAt: Date; place: string; note?: string | null }) {
  return db
    .insertInto('meetings')
    .values({ council_id: meeting.councilId, starts_at: meeting.startsAt, place: meeting.place, note: meeting.note ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A council's meetings from `from` on, soonest first. */
export function listMeetings(db: Executor, councilId: number, from?: Date) {
  let query = db.selectFrom('meetings').selectAll().where('council_id', '=', councilId);
  if (from) query = query.where('starts_at', '>=', from);
  return query.orderBy('starts_at').execute();
}

/** Deletes one of a council's meetings. Returns the number deleted (0 or 1). */
export async function deleteMeeting(db: Executor, councilId: number, meetingId: number): Promise<number> {
  const result = await db.deleteFrom('meetings').where('id', '=', meetingId).where('council_id', '=', councilId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
