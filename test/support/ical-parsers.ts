import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import ical from 'node-ical';

/**
 * The calendar feeds read back by three independent iCalendar parsers, as clients would read them:
 * node-ical and ical.js (npm) in this process, Python's `icalendar` (/usr/bin/python3, installed
 * by scripts/setup.mjs) in its own, with the feed on stdin. Each gives its events in one shape, so
 * a test can demand that all three read the same thing.
 */

/** A start or end as a parser read it. */
export interface ParsedTime {
  /** The instant, ISO 8601 in UTC. */
  utc: string;
  /** The TZID the time was written in, or "UTC". */
  zone: string;
  /** The wall-clock time in that zone, YYYYMMDDTHHMMSS. */
  local: string;
}

/** One VEVENT as a parser read it. */
export interface ParsedEvent {
  uid: string;
  summary: string;
  start: ParsedTime;
  end: ParsedTime;
}

const compactLocal = (iso: string) => iso.replace(/[-:]/g, '').slice(0, 15);

/** node-ical: Dates carrying the TZID in `tz`. */
export function readWithNodeIcal(text: string): ParsedEvent[] {
  const time = (value: ical.DateWithTimeZone): ParsedTime => {
    const zone = value.tz && value.tz !== 'Etc/UTC' ? value.tz : 'UTC';
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(value);
    return { utc: value.toISOString(), zone, local: compactLocal(local.replace(' ', 'T')) };
  };
  return Object.values(ical.sync.parseICS(text))
    .filter((c) => c?.type === 'VEVENT')
    .map((e) => ({ uid: e.uid, summary: typeof e.summary === 'string' ? e.summary : e.summary.val, start: time(e.start), end: time(e.end!) }));
}

/** ical.js (Mozilla's parser, used by Thunderbird), with the feed's own VTIMEZONE registered. */
export function readWithIcalJs(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const time = (value: ICAL.Time): ParsedTime => ({
    utc: value.toJSDate().toISOString(),
    zone: value.zone?.tzid ?? 'floating',
    local: compactLocal(value.toString()),
  });
  return calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    return { uid: event.uid, summary: event.summary, start: time(event.startDate), end: time(event.endDate) };
  });
}

const PYTHON_READER = fileURLToPath(new URL('./read_ical.py', import.meta.url));

/** Python's `icalendar`, run as its own process with the feed on stdin. */
export function readWithPythonIcalendar(text: string): Promise<ParsedEvent[]> {
  type PythonTime = { iso: string; zone: string; local: string };
  type PythonOutput = { events: { uid: string; summary: string; start: PythonTime; end: PythonTime }[] };
  const time = (value: PythonTime): ParsedTime => ({ utc: new Date(value.iso).toISOString(), zone: value.zone, local: value.local.slice(0, 15) });
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [PYTHON_READER], (error, stdout, stderr) => {
      if (error) return reject(new Error(`Python's icalendar refused the feed: ${stderr || error.message}`));
      const parsed = JSON.parse(stdout) as PythonOutput;
      resolve(parsed.events.map((e) => ({ uid: e.uid, summary: e.summary, start: time(e.start), end: time(e.end) })));
    });
    child.stdin?.end(text);
  });
}

/** The events each of the three parsers read, sorted by UID. */
export async function readWithThreeParsers(text: string): Promise<Record<'nodeIcal' | 'icalJs' | 'python', ParsedEvent[]>> {
  const byUid = (events: ParsedEvent[]) => [...events].sort((a, b) => a.uid.localeCompare(b.uid));
  return {
    nodeIcal: byUid(readWithNodeIcal(text)),
    icalJs: byUid(readWithIcalJs(text)),
    python: byUid(await readWithPythonIcalendar(text)),
  };
}
