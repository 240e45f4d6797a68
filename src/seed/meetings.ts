import { DateTime } from 'luxon';
import type { Db } from '../db/database.ts';
import { listCouncils } from '../db/repositories/councils.ts';
import { findCouncilBySlug } from '../db/repositories/councils.ts';
import { insertMeeting } from '../db/repositories/meetings.ts';
import { refreshMeetingAgenda } from '../domain/meetings/agenda.ts';
import { ZONE } from '../domain/time.ts';

/** Four meetings a year per council, as the survey says is usual: one past, three ahead. */
export async function addDemoMeetings(db: Db, now: Date): Promise<void> {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  const councils = await listCouncils(db);
  for (const [index, council] of councils.entries()) {
    for (const weeksAhead of [-6, 2 + index, 14 + index, 27]) {
      const day = today.plus({ weeks: weeksAhead }).set({ weekday: 2, hour: 17, minute: 0 });
      await insertMeeting(db, {
        councilId: council.id,
        startsAt: day.toJSDate(),
        place: council.municipality ? `Rådhuset, ${council.municipality}, mødelokale 2` : 'Online (Teams)',
      });
    }
  }
}

/**
 * Yesterday's meeting of Næstved's council, with the agenda it had when it began (the consultations
 * then awaiting the council's decision), so a demo secretary can record its minutes — approve a
 * response — and archive them at once.
 */
export async function addDemoHeldMeeting(db: Db, now: Date): Promise<void> {
  const council = await findCouncilBySlug(db, 'naestved');
  if (!council) return;
  const startsAt = DateTime.fromJSDate(now, { zone: ZONE }).minus({ days: 1 }).set({ hour: 17, minute: 0, second: 0, millisecond: 0 }).toJSDate();
  const meeting = await insertMeeting(db, { councilId: council.id, startsAt, place: 'Rådhuset, Næstved Kommune, mødelokale 2' });
  // Built as the agenda job would have built it before the meeting (a refresh adds nothing after it began).
  await db.transaction().execute((tx) => refreshMeetingAgenda(tx, meeting, new Date(startsAt.getTime() - 60_000)));
}
