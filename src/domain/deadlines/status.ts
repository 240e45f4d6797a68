import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { ZONE } from '../time.ts';

export type DeadlineStatus = 'ok' | 'due_soon' | 'overdue' | 'closed';

export const DEFAULT_DUE_SOON_WORKING_DAYS = 5;

// Public holidays only: date-holidays also lists observances (e.g. Fastelavn) that are working days.
const danishHolidays = new Holidays('DK', { types: ['public'] });
const holidayCache = new Map<string, boolean>();

/**
 * Days that are not public holidays (date-holidays 3.37 types 24 December and 5 June as
 * 'observance' and does not list 31 December at all) but on which a municipal secretariat cannot
 * be counted on:
 * - 24 December (juleaftensdag) and 31 December (nytårsaftensdag): town halls are closed and staff
 *   have the day off under the municipal agreements.
 * - 5 June (Grundlovsdag): a half day, off from 12.00. We count it as a whole non-working day,
 *   because an afternoon sign-off by the chair or the secretariat cannot be relied on; erring this
 *   way only makes warnings and draft dates come earlier, never later.
 * 1 May stays a working day: it is a day off only under some local agreements.
 */
const CLOSED_MONTH_DAYS = new Set(['12-24', '12-31', '06-05']);

/**
 * True when the calendar date (YYYY-MM-DD) is a Danish public holiday, or one of the days municipal
 * offices treat as closed (24 and 31 December, Grundlovsdag 5 June; see CLOSED_MONTH_DAYS).
 */
export function isDanishHoliday(isoDate: string): boolean {
  let cached = holidayCache.get(isoDate);
  if (cached === undefined) {
    const noon = DateTime.fromISO(`${isoDate}T12:00`, { zone: ZONE }).toJSDate();
    const found = danishHolidays.isHoliday(noon);
    cached =
      CLOSED_MONTH_DAYS.has(isoDate.slice(5, 10)) ||
      (Array.isArray(found) && found.some((h) => h.type === 'public'));
    holidayCache.set(isoDate, cached);
  }
  return cached;
}

/** True for Monday to Friday that is not a Danish public holiday. */
export function isWorkingDay(isoDate: string): boolean {
  const weekday = DateTime.fromISO(isoDate, { zone: ZONE }).weekday;
  return weekday <= 5 && !isDanishHoliday(isoDate);
}

/** Working days after `from` up to and including `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function workingDaysBetween(from: string, to: string): number {
  if (from === to) return 0;
  const sign = to > from ? 1 : -1;
  let cursor = DateTime.fromISO(from, { zone: ZONE });
  const end = DateTime.fromISO(to, { zone: ZONE });
  let count = 0;
  while (sign > 0 ? cursor < end : cursor > end) {
    cursor = cursor.plus({ days: sign });
    if (isWorkingDay(cursor.toISODate()!)) count += sign;
  }
  return count;
}

/** The date `n` working days before (n > 0) the given date. */
export function subtractWorkingDays(isoDate: string, n: number): string {
  let cursor = DateTime.fromISO(isoDate, { zone: ZONE });
  let left = n;
  while (left > 0) {
    cursor = cursor.minus({ days: 1 });
    if (isWorkingDay(cursor.toISODate()!)) left -= 1;
  }
  return cursor.toISODate()!;
}

/**
 * The one rule for how close a deadline is, used by the queue, the pages, the API and reminders.
 * `daysLeft` counts calendar days in Danish time (0 on the day, negative after it); "due soon"
 * counts working days, so weekends and public holidays do not eat into the warning.
 */
export function deadlineStatus(input: {
  deadline: Date;
  now: Date;
  closed: boolean;
  dueSoonWorkingDays?: number;
}): { daysLeft: number; deadlineStatus: DeadlineStatus } {
  const today = calendarDateInDenmark(input.now);
  const deadlineDay = calendarDateInDenmark(input.deadline);
  const daysLeft = Math.round((Date.parse(`${deadlineDay}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
  if (input.closed) return { daysLeft, deadlineStatus: 'closed' };
  if (input.deadline.getTime() < input.now.getTime()) return { daysLeft, deadlineStatus: 'overdue' };
  const threshold = input.dueSoonWorkingDays ?? DEFAULT_DUE_SOON_WORKING_DAYS;
  const soon = atMostWorkingDays(today, deadlineDay, threshold);
  return { daysLeft, deadlineStatus: soon ? 'due_soon' : 'ok' };
}

const DAY_MS = 86_400_000;

// 'en-CA' formats as YYYY-MM-DD. One formatter for every call: this runs for every row of a list.
const danishCalendarDate = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date (YYYY-MM-DD) in Denmark at an instant. */
function calendarDateInDenmark(instant: Date): string {
  return danishCalendarDate.format(instant);
}

/**
 * `workingDaysBetween(from, to) <= n` for `to` on or after `from`, but cheap enough for every row
 * of the queue: it stops counting after n + 1 working days (a deadline months away costs no more
 * than one next week), and steps through calendar dates as UTC midnights, which have no time zone
 * to convert (luxon's zone arithmetic per day made a queue page cost tens of milliseconds).
 */
function atMostWorkingDays(from: string, to: string, n: number): boolean {
  const end = Date.parse(`${to}T00:00:00Z`);
  let count = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`) + DAY_MS; t <= end; t += DAY_MS) {
    const day = new Date(t);
    const weekday = day.getUTCDay();
    if (weekday === 0 || weekday === 6 || isDanishHoliday(day.toISOString().slice(0, 10))) continue;
    count += 1;
    if (count > n) return false;
  }
  return true;
}
