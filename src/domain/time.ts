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

/** A calendar date `YYYY-MM-DD` as it is in Denmark at `instant`. */
export function danishDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: ZONE }).toISODate()!;
}

/** "12. marts 2026" */
export function formatDanishDate(value: Date | string): string {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: ZONE }) : DateTime.fromJSDate(value, { zone: ZONE });
  return dt.setLocale('da').toFormat('d. MMMM yyyy');
}

/** "12. marts 2026, kl. 12.00" */
export function formatDanishDateTime(value: Date): string {
  const dt = DateTime.fromJSDate(value, { zone: ZONE }).setLocale('da');
  return `${dt.toFormat('d. MMMM yyyy')}, kl. ${dt.toFormat('HH.mm')}`;
}

/** The instant as ISO 8601 with the Danish offset, e.g. 2026-03-12T12:00:00.000+01:00. */
export function toDanishIso(value: Date): string {
  return DateTime.fromJSDate(value, { zone: ZONE }).toISO()!;
}
