import { DateTime } from 'luxon';
import { ZONE, danishDate } from '../time.ts';
import { addWorkingDays, subtractWorkingDays } from '../deadlines/status.ts';

/** Working days the members get to vote in the closing time the page proposes. */
export const PROPOSED_PROCEDURE_WORKING_DAYS = 2;

/** The Danish time of day (12.00) at which a proposed written procedure closes. */
const PROPOSED_CLOSING_HOUR = 12;

/** The instant Danish clocks show `hour:minute` on the calendar date `isoDate` (YYYY-MM-DD). */
function danishTimeOn(isoDate: string, hour: number, minute: number): Date {
  return DateTime.fromISO(isoDate, { zone: ZONE }).set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/**
 * The closing time the consultation page proposes for a new written procedure: two Danish working
 * days after today at 12.00 Danish time (weekends, holidays and the closed days of
 * deadlines/status.ts skipped), so members who read mail once a day still get a full day. Null
 * when that is not before the consultation's deadline: then a written procedure cannot close in
 * time and the page proposes nothing.
 */
export function proposedProcedureClose(now: Date, deadline: Date): Date | null {
  const closes = danishTimeOn(addWorkingDays(danishDate(now), PROPOSED_PROCEDURE_WORKING_DAYS), PROPOSED_CLOSING_HOUR, 0);
  return closes.getTime() < deadline.getTime() ? closes : null;
}

/**
 * When the reminder to members who have not voted goes out: one Danish working day before the
 * procedure closes, at the same Danish time of day. It may lie before the procedure started (a
 * procedure that closes the next working day); the reminder job decides what to do then.
 */
export function procedureReminderAt(closesAt: Date): Date {
  const time = DateTime.fromJSDate(closesAt, { zone: ZONE });
  return danishTimeOn(subtractWorkingDays(danishDate(closesAt), 1), time.hour, time.minute);
}
