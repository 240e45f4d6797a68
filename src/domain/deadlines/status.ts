import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { ZONE } from '../time.ts';
import { isFinalState } from '../../../workflows/consultation.machine.ts';

export type DeadlineStatus = 'ok' | 'due_soon' | 'overdue' | 'closed';

export const DEFAULT_DUE_SOON_WORKING_DAYS = 5;

// Public holidays only: date-holidays also lists observances (e.g. Fastelavn) that are working days.
const danishHolidays = new Holidays('DK', { types: ['public'] });

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

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The holidays of each year (public holidays and CLOSED_MONTH_DAYS) as day numbers (days since
 * 1970-01-01), worked out once per year: date-holidays is slow per call, and every view of a
 * consultation counts the working days up to its deadline, so "is this day a holiday" must be a
 * set lookup.
 */
const holidaysByYear = new Map<number, Set<number>>();

function holidaysOf(year: number): Set<number> {
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Set();
    // A day is a public holiday when its noon (Danish time) falls within one, as isHoliday(noon)
    // answers; the neighbouring years' lists catch a holiday that crosses New Year.
    const first = Date.UTC(year, 0, 1) / DAY_MS;
    const last = Date.UTC(year, 11, 31) / DAY_MS;
    for (const holiday of [year - 1, year, year + 1].flatMap((y) => danishHolidays.getHolidays(y))) {
      if (holiday.type !== 'public') continue;
      const listed = dayOf(holiday.date.slice(0, 10));
      for (let day = listed - 1; day <= listed + 1; day++) {
        if (day < first || day > last) continue;
        const noon = DateTime.fromISO(`${isoOfDay(day)}T12:00`, { zone: ZONE }).toMillis();
        if (holiday.start.getTime() <= noon && noon < holiday.end.getTime()) days.add(day);
      }
    }
    for (let day = first; day <= last; day++) {
      if (CLOSED_MONTH_DAYS.has(isoOfDay(day).slice(5, 10))) days.add(day);
    }
    holidaysByYear.set(year, days);
  }
  return days;
}

/** Day number (days since 1970-01-01) of a calendar date; NaN when it is not a valid date. */
function dayOf(isoDate: string): number {
  // Anything but a plain YYYY-MM-DD is read as luxon reads it, as before.
  const plain = ISO_DATE.test(isoDate) ? isoDate : DateTime.fromISO(isoDate, { zone: ZONE }).toISODate();
  const match = plain ? ISO_DATE.exec(plain) : null;
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // 2026-02-30 is no date (luxon says invalid too).
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return Number.NaN;
  return ms / DAY_MS;
}

function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isHolidayDay(day: number): boolean {
  return holidaysOf(new Date(day * DAY_MS).getUTCFullYear()).has(day);
}

function isWorkingDayNumber(day: number): boolean {
  // 1970-01-01 was a Thursday: (day + 4) % 7 is 0 on Sundays and 6 on Saturdays.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday >= 1 && weekday <= 5 && !isHolidayDay(day);
}

/**
 * True when the calendar date (YYYY-MM-DD) is a Danish public holiday, or one of the days municipal
 * offices treat as closed (24 and 31 December, Grundlovsdag 5 June; see CLOSED_MONTH_DAYS).
 */
export function isDanishHoliday(isoDate: string): boolean {
  const day = dayOf(isoDate);
  if (Number.isNaN(day)) return CLOSED_MONTH_DAYS.has(isoDate.slice(5, 10));
  return isHolidayDay(day);
}

/** True for Monday to Friday that is neither a Danish public holiday nor one of CLOSED_MONTH_DAYS. */
export function isWorkingDay(isoDate: string): boolean {
  const day = dayOf(isoDate);
  return !Number.isNaN(day) && isWorkingDayNumber(day);
}

/** Working days after `from` up to and including `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function workingDaysBetween(from: string, to: string): number {
  if (from === to) return 0;
  const sign = to > from ? 1 : -1;
  const start = dayOf(from);
  const end = dayOf(to);
  if (Number.isNaN(start) || Number.isNaN(end) || sign !== Math.sign(end - start)) return 0;
  return workingDaysBetweenDays(start, end);
}

function workingDaysBetweenDays(start: number, end: number): number {
  const sign = end > start ? 1 : -1;
  let count = 0;
  for (let day = start; day !== end;) {
    day += sign;
    if (isWorkingDayNumber(day)) count += sign;
  }
  return count;
}

// One formatter, made once: a luxon DateTime per instant, or a formatter made per call, costs many
// times more (BENCHMARKS.md, figures behind design choices).
const danishCalendar = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: 'numeric', day: 'numeric' });

const HOUR_MS = 3_600_000;
/**
 * Danish day numbers by UTC hour. Denmark's offset only changes on a whole UTC hour, so every
 * instant in an hour falls on the same Danish date as the hour's start plus the same offset.
 * Every view of a consultation asks for two of these (today and the deadline), and a queue page
 * shows fifty: a map lookup is far cheaper than formatting each.
 */
const danishDayByHour = new Map<number, number>();
const MAX_CACHED_HOURS = 50_000;

/** Day number (days since 1970-01-01) of the calendar date in Denmark at `instant`. */
function danishDayOf(instant: Date): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  let day = danishDayByHour.get(hour);
  if (day === undefined) {
    day = formattedDanishDayOf(new Date(hour * HOUR_MS));
    if (danishDayByHour.size >= MAX_CACHED_HOURS) danishDayByHour.clear();
    danishDayByHour.set(hour, day);
  }
  return day;
}

function formattedDanishDayOf(instant: Date): number {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of danishCalendar.formatToParts(instant)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** The date `n` working days after (n ≥ 0) the given date; the mirror of subtractWorkingDays. */
export function addWorkingDays(isoDate: string, n: number): string {
  let day = dayOf(isoDate);
  if (Number.isNaN(day)) throw new RangeError(`Ugyldig dato: ${isoDate}`);
  let left = n;
  while (left > 0) {
    day += 1;
    if (isWorkingDayNumber(day)) left -= 1;
  }
  return isoOfDay(day);
}

/** The date `n` working days before (n > 0) the given date. */
export function subtractWorkingDays(isoDate: string, n: number): string {
  let day = dayOf(isoDate);
  if (Number.isNaN(day)) throw new RangeError(`Ugyldig dato: ${isoDate}`);
  let left = n;
  while (left > 0) {
    day -= 1;
    if (isWorkingDayNumber(day)) left -= 1;
  }
  return isoOfDay(day);
}

/** How close a deadline is (see {@link deadlineStatus}). */
export interface DeadlineCount {
  /** Calendar days from today to the deadline's date, in Danish time: 0 on the day, negative after it. */
  daysLeft: number;
  /**
   * Working days (isWorkingDay) after today up to and including the deadline's date; null once the
   * consultation is closed or the deadline has passed, when no working days are left to count.
   */
  workingDaysLeft: number | null;
  deadlineStatus: DeadlineStatus;
}

/**
 * The one rule for how close a deadline is, used by the queue, the pages, the API and reminders.
 * `daysLeft` counts calendar days in Danish time, what "3 dage" means to a reader; "due soon"
 * and `workingDaysLeft` count working days, so weekends and holidays do not eat into the warning.
 */
export function deadlineStatus(input: { deadline: Date; now: Date; closed: boolean; dueSoonWorkingDays?: number }): DeadlineCount {
  const today = danishDayOf(input.now);
  const deadlineDay = danishDayOf(input.deadline);
  const daysLeft = deadlineDay - today;
  if (input.closed) return { daysLeft, workingDaysLeft: null, deadlineStatus: 'closed' };
  if (input.deadline.getTime() < input.now.getTime()) return { daysLeft, workingDaysLeft: null, deadlineStatus: 'overdue' };
  const threshold = input.dueSoonWorkingDays ?? DEFAULT_DUE_SOON_WORKING_DAYS;
  const workingDaysLeft = workingDaysBetweenDays(today, deadlineDay);
  return { daysLeft, workingDaysLeft, deadlineStatus: workingDaysLeft <= threshold ? 'due_soon' : 'ok' };
}

/**
 * The deadline count of a consultation as the queue, the overview and the pages show it: closed
 * once the consultation is in a final state, "due soon" by its council's setting.
 */
export function consultationDeadline(consultation: { deadline: Date; state: string; councilDueSoonDays: number | null }, now: Date): DeadlineCount {
  return deadlineStatus({
    deadline: consultation.deadline,
    now,
    closed: isFinalState(consultation.state),
    dueSoonWorkingDays: consultation.councilDueSoonDays ?? undefined,
  });
}
