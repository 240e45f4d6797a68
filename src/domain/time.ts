import { DateTime } from 'luxon';

/** Every date Rådssvar shows or interprets is in Danish time. */
export const ZONE = 'Europe/Copenhagen';

/** A source of "now", injected so tests can move time. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/**
 * Parses a deadline given as an ISO 8601 date-time or date. Without an offset it is Danish time;
 * a bare date means the end of that day (23:59). Returns undefined when it is not a valid date.
 */
export function parseDeadline(text: string): Date | undefined {
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const parsed = DateTime.fromISO(trimmed, { zone: ZONE, setZone: false });
  if (!parsed.isValid) return undefined;
  return (dateOnly ? parsed.set({ hour: 23, minute: 59, second: 0 }) : parsed).toJSDate();
}

const DANISH_MONTHS = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'];

// One formatter, made once: list pages format dozens of dates per request, and luxon's
// setLocale/toFormat per date cost far more than the rest of a row.
const danishParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function partsInDenmark(value: Date): { year: string; month: number; day: number; hour: string; minute: string } {
  const out = { year: '', month: 0, day: 0, hour: '', minute: '' };
  for (const part of danishParts.formatToParts(value)) {
    if (part.type === 'year') out.year = part.value;
    else if (part.type === 'month') out.month = Number(part.value);
    else if (part.type === 'day') out.day = Number(part.value);
    else if (part.type === 'hour') out.hour = part.value;
    else if (part.type === 'minute') out.minute = part.value;
  }
  return out;
}

/** A calendar date `YYYY-MM-DD` as it is in Denmark at `instant`. */
export function danishDate(instant: Date): string {
  const p = partsInDenmark(instant);
  return `${p.year.padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "12. marts 2026" */
export function formatDanishDate(value: Date | string): string {
  if (typeof value === 'string') {
    const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (plain && DANISH_MONTHS[Number(plain[2]) - 1]) return `${Number(plain[3])}. ${DANISH_MONTHS[Number(plain[2]) - 1]} ${plain[1]}`;
    return DateTime.fromISO(value, { zone: ZONE }).setLocale('da').toFormat('d. MMMM yyyy');
  }
  const p = partsInDenmark(value);
  return `${p.day}. ${DANISH_MONTHS[p.month - 1]} ${p.year}`;
}

/** "12. marts 2026, kl. 12.00" */
export function formatDanishDateTime(value: Date): string {
  const p = partsInDenmark(value);
  return `${p.day}. ${DANISH_MONTHS[p.month - 1]} ${p.year}, kl. ${p.hour}.${p.minute}`;
}

/** The instant as ISO 8601 with the Danish offset, e.g. 2026-03-12T12:00:00.000+01:00. */
export function toDanishIso(value: Date): string {
  return DateTime.fromJSDate(value, { zone: ZONE }).toISO()!;
}
