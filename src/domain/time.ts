import { DateTime, IANAZone } from 'luxon';

/** Every date Rådssvar shows or interprets is in Danish time. */
export const ZONE = 'Europe/Copenhagen';

/** A source of "now", injected so tests can move time. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const copenhagen = IANAZone.create(ZONE);

/**
 * Every instant at which Danish clocks show `wall` (a wall-clock date-time written as if it were
 * UTC, in ms), earliest first: none for a time in the spring-forward gap, two for a time in the
 * autumn hour that happens twice, one otherwise. At most one clock change lies within a day, so the
 * offsets a day either side are the only candidates.
 */
function instantsShowing(wall: number): number[] {
  const offsets = new Set([copenhagen.offset(wall - DAY_MS), copenhagen.offset(wall + DAY_MS)]);
  return [...offsets]
    .map((offset) => wall - offset * MINUTE_MS)
    .filter((instant) => copenhagen.offset(instant) * MINUTE_MS === wall - instant)
    .sort((a, b) => a - b);
}

/** What reading a Danish date-time gave: the instant, or why there is none. */
export type DanishTimeReading =
  | { ok: true; instant: Date }
  | { ok: false; problem: 'invalid' }
  /** The clock skips this time (spring forward); `message` says so in Danish, for the field. */
  | { ok: false; problem: 'skipped'; message: string };

// An explicit UTC offset (or Z) at the end of an ISO date-time: then no Danish reading is needed.
const EXPLICIT_OFFSET = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * The one rule for a date-time someone enters in Danish time (a deadline, a meeting): an ISO 8601
 * date-time, read as Europe/Copenhagen unless it carries an offset.
 *
 * - A time the clocks skip when summer time begins (02.00–02.59 on the last Sunday of March) is
 *   refused with `problem: 'skipped'`: luxon, like most libraries, would silently move it an hour
 *   on, and a deadline or meeting an hour off is worse than a question to the user.
 * - A time that happens twice when summer time ends (02.00–02.59 on the last Sunday of October) is
 *   the first of the two, in summer time (+02:00): the earlier reading is the safe one for a
 *   deadline, and it is how RFC 5545 (§3.3.5) reads such a local time. An offset in the text
 *   (…T02:30+01:00) picks the second. (The feeds write these hours in UTC, see isInRepeatedHour.)
 */
export function readDanishDateTime(text: string): DanishTimeReading {
  const trimmed = text.trim();
  if (EXPLICIT_OFFSET.test(trimmed)) {
    const parsed = DateTime.fromISO(trimmed, { setZone: true });
    return parsed.isValid ? { ok: true, instant: parsed.toJSDate() } : { ok: false, problem: 'invalid' };
  }
  const wall = DateTime.fromISO(trimmed, { zone: 'utc' });
  if (!wall.isValid) return { ok: false, problem: 'invalid' };
  const [first] = instantsShowing(wall.toMillis());
  if (first !== undefined) return { ok: true, instant: new Date(first) };
  return { ok: false, problem: 'skipped', message: skippedTimeMessage(wall) };
}

/** "Klokken 02.30 findes ikke den 28. marts 2027: …", naming the hour the clocks skip that night. */
function skippedTimeMessage(wall: DateTime): string {
  // The clock change lies between the wall time read with the later offset and with the earlier one.
  const before = copenhagen.offset(wall.toMillis() - DAY_MS);
  const after = copenhagen.offset(wall.toMillis() + DAY_MS);
  let low = wall.toMillis() - after * MINUTE_MS;
  let high = wall.toMillis() - before * MINUTE_MS;
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (copenhagen.offset(middle) === before) low = middle;
    else high = middle;
  }
  const clock = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat('HH.mm');
  const gapStart = clock(high + before * MINUTE_MS);
  const gapEnd = clock(high + after * MINUTE_MS);
  return (
    `Klokken ${wall.toFormat('HH.mm')} findes ikke den ${formatDanishDate(wall.toISODate()!)}: uret stilles frem fra ` +
    `${gapStart} til ${gapEnd}, når sommertiden begynder. Vælg et klokkeslæt før ${gapStart} eller fra ${gapEnd}.`
  );
}

/**
 * True when Danish clocks show `instant`'s wall time twice: it lies in the autumn hour that happens
 * twice (either pass). RFC 5545 reads such a TZID time as the first pass, but node-ical, ical.js
 * and Python's icalendar all read it as the second, so the feed writes these instants in UTC.
 */
export function isInRepeatedHour(instant: Date): boolean {
  const wall = instant.getTime() + copenhagen.offset(instant.getTime()) * MINUTE_MS;
  return instantsShowing(wall).length > 1;
}

/**
 * Reads a deadline given as an ISO 8601 date-time or date (see readDanishDateTime for the Danish
 * reading and the clock changes). A bare date means the end of that day (23:59).
 */
export function readDeadline(text: string): DanishTimeReading {
  const trimmed = text.trim();
  return readDanishDateTime(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T23:59` : trimmed);
}

/** The deadline `readDeadline` reads, or undefined when it is no valid Danish time. */
export function parseDeadline(text: string): Date | undefined {
  const reading = readDeadline(text);
  return reading.ok ? reading.instant : undefined;
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

/** The instant as a datetime-local input shows it in Danish time: "2026-03-12T12:00". */
export function toDanishDateTimeLocal(value: Date): string {
  const p = partsInDenmark(value);
  return `${p.year.padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}T${p.hour}:${p.minute}`;
}
