import { DateTime } from 'luxon';
import type { Db } from '../db/database.ts';
import { listCouncils } from '../db/repositories/councils.ts';
import { insertMeeting } from '../db/repositories/meetings.ts';
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
