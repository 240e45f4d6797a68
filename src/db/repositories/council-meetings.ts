import type { Executor } from '../database.ts';

/** Deletes one of a council's meetings; returns false when the council has no meeting with that id. */
export async function deleteCouncilMeeting(db: Executor, councilId: number, meetingId: number): Promise<boolean> {
  const result = await db.deleteFrom('meetings').where('id', '=', meetingId).where('council_id', '=', councilId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
