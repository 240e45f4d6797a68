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
  const today = DateTime.fromJSDate(input.now, { zone: ZONE }).startOf('day');
  const deadlineDay = DateTime.fromJSDate(input.deadline, { zone: ZONE }).startOf('day');
  const daysLeft = Math.round(deadlineDay.diff(today, 'days').days);
  if (input.closed) return { daysLeft, deadlineStatus: 'closed' };
  if (input.deadline.getTime() < input.now.getTime()) return { daysLeft, deadlineStatus: 'overdue' };
  const threshold = input.dueSoonWorkingDays ?? DEFAULT_DUE_SOON_WORKING_DAYS;
  const working = workingDaysBetween(today.toISODate()!, deadlineDay.toISODate()!);
  return { daysLeft, deadlineStatus: working <= threshold ? 'due_soon' : 'ok' };
}
