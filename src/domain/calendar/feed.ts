import ical, { ICalCalendarMethod, ICalEventTransparency, type ICalLuxonDateTimeStub } from 'ical-generator';
import { ZONE } from '../time.ts';

/**
 * iCalendar (RFC 5545) feeds of deadlines and meetings, for members and secretaries to subscribe
 * to from Outlook, Google or Apple Calendar.
 */

export interface FeedEvent {
  kind: 'deadline' | 'meeting';
  /** Consultation id for deadlines, meeting id for meetings; makes the UID. */
  id: string;
  /** The consultation's title (deadlines); for meetings it opens the description. */
  title: string;
  councilName: string;
  /** Deadlines: the deadline instant. Meetings: when the meeting starts. */
  start: Date;
  /** Meetings only: when the meeting ends (default two hours after start). Ignored for deadlines. */
  end?: Date;
  /**
   * RFC 5545 SEQUENCE. Must rise whenever the event changes materially (e.g. the number of
   * deadline extensions), or clients that already have the event keep the old time.
   */
  sequence: number;
  /**
   * When what the event shows last changed (the consultation's or meeting's own time of change):
   * its DTSTAMP and LAST-MODIFIED, so an unchanged feed is byte for byte the same on every request.
   */
  changedAt: Date;
  description?: string;
  url?: string;
  location?: string;
}

/**
 * Deadlines are shown as a 30-minute block ending at the deadline: an all-day event would hide the
 * hour (12.00 matters), and a zero-length event is hidden or drawn as a sliver by several clients.
 * Ending at the deadline places the block where the answer must be sent, not after it.
 */
const DEADLINE_BLOCK_MINUTES = 30;
const DEFAULT_MEETING_HOURS = 2;

/**
 * How often calendar programs should fetch the feed again (REFRESH-INTERVAL and X-PUBLISHED-TTL).
 * An hour: a moved deadline or a new meeting reaches the members' calendars the same working day,
 * and a fetch of an unchanged feed is answered 304 without a body (ETag), so hourly polling costs
 * next to nothing. Apple Calendar and Outlook follow it; Google Calendar keeps its own, slower pace.
 */
export const FEED_REFRESH_SECONDS = 3600;

/**
 * Builds an iCalendar feed. Times are written as local Copenhagen times with TZID and a VTIMEZONE,
 * so clients keep 12.00 at 12.00 across summer time; an event touching the autumn hour that happens
 * twice is written in UTC instead, since parsers disagree with RFC 5545 on which pass such a local
 * time means (see isInRepeatedHour in time.ts). The local times come from the VTIMEZONE's own fixed rule
 * (copenhagenWallClock), worked out with integer arithmetic: asking luxon (Intl) for the zone's
 * offset per event was most of a feed's CPU (see BENCHMARKS.md, "calendar feed"). DTSTAMP and LAST-MODIFIED are each event's `changedAt` in UTC, so
 * the text depends only on what the feed shows. UIDs are stable (`deadline-<id>@raadssvar`,
 * `meeting-<id>@raadssvar`), so a moved deadline replaces the old event instead of adding a second
 * one — provided the caller raises `sequence`. Events are written in start order.
 *
 * The layout RFC 5545 asks for, which ical-generator 11 does not give by itself: every calendar
 * property (X-WR-TIMEZONE, REFRESH-INTERVAL, X-PUBLISHED-TTL) before the first component, the
 * VTIMEZONE before the events that name it, and CRLF after every line, the last included.
 */
export function buildCalendarFeed(input: { name: string; events: FeedEvent[] }): string {
  const calendar = ical({
    name: input.name,
    prodId: { company: 'Raadssvar', product: 'Raadssvar', language: 'DA' },
    method: ICalCalendarMethod.PUBLISH,
    // No calendar zone: with one, ical-generator writes DTSTAMP as a local time without "Z" (RFC 5545
    // forbids that) and its VTIMEZONE before REFRESH-INTERVAL, and an X-WR-TIMEZONE given as an
    // x-property lands after the events. The zone is set on each event instead, and `withTimeZone`
    // places the VTIMEZONE and X-WR-TIMEZONE.
    timezone: null,
    ttl: FEED_REFRESH_SECONDS,
  });

  const events = [...input.events].sort((a, b) => a.start.getTime() - b.start.getTime() || uid(a).localeCompare(uid(b)));
  for (const event of events) {
    if (!Number.isInteger(event.sequence) || event.sequence < 0) {
      throw new RangeError(`sequence must be a whole number ≥ 0 for ${uid(event)}, got ${event.sequence}`);
    }
    const { start, end } = eventSpan(event);
    const startWall = copenhagenWallClock(start);
    const endWall = copenhagenWallClock(end);
    const local = !startWall.repeated && !endWall.repeated;
    const meetingTitle = event.kind === 'meeting' ? event.title.trim() : '';
    const description = [meetingTitle, event.description?.trim() ?? ''].filter(Boolean).join('\n\n');
    calendar.createEvent({
      id: uid(event),
      sequence: event.sequence,
      stamp: event.changedAt,
      lastModified: event.changedAt,
      timezone: local ? ZONE : null,
      // With a TZID ical-generator would write a plain Date in the server process's own zone, so a
      // local time goes in as a wall clock already worked out; a UTC time as the Date itself.
      start: local ? wallClockValue(start, startWall.wall) : start,
      end: local ? wallClockValue(end, endWall.wall) : end,
      summary: event.kind === 'deadline' ? `Høringsfrist: ${event.title} (${event.councilName})` : `Møde i ${event.councilName}`,
      description: description || null,
      location: event.location?.trim() || null,
      url: event.url ?? null,
      // A deadline is a reminder, not an appointment: it should not block free/busy time.
      transparency: event.kind === 'deadline' ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    });
  }
  return withTimeZone(calendar.toString());
}

/**
 * Puts X-WR-TIMEZONE and the VTIMEZONE right after the calendar's own properties, i.e. before the
 * first line that begins a component (a folded line begins with a space, so no text can look like
 * one), and ends the last line with CRLF.
 */
function withTimeZone(text: string): string {
  // ical-generator ends its text without a CRLF, so the last line is END:VCALENDAR after one.
  const firstComponent = text.indexOf('\r\nBEGIN:');
  const at = firstComponent >= 0 ? firstComponent : text.lastIndexOf('\r\nEND:VCALENDAR');
  return `${text.slice(0, at)}\r\nX-WR-TIMEZONE:${ZONE}\r\n${vtimezone(ZONE)!}${text.slice(at)}\r\n`;
}

function uid(event: FeedEvent): string {
  return `${event.kind}-${event.id}@raadssvar`;
}

function eventSpan(event: FeedEvent): { start: Date; end: Date } {
  if (event.kind === 'deadline') {
    return { start: new Date(event.start.getTime() - DEADLINE_BLOCK_MINUTES * 60_000), end: event.start };
  }
  const end =
    event.end && event.end.getTime() > event.start.getTime() ? event.end : new Date(event.start.getTime() + DEFAULT_MEETING_HOURS * 3_600_000);
  return { start: event.start, end };
}

const HOUR_MS = 3_600_000;

/** The instant (ms) of 01.00 UTC on the last Sunday of `month` (1–12) of `year`: when the EU rule moves the clocks. */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0));
  return Date.UTC(year, month - 1, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/**
 * What Danish clocks show at `instant` by the fixed rule the VTIMEZONE below describes (CEST from
 * the last Sunday of March 01.00 UTC to the last Sunday of October 01.00 UTC, CET otherwise), as a
 * Date whose UTC fields are the wall clock, and whether that wall time happens twice (the autumn
 * hour, either pass). The test of vtimezone checks the rule against the time zone database.
 */
export function copenhagenWallClock(instant: Date): { wall: Date; repeated: boolean } {
  const ms = instant.getTime();
  const year = instant.getUTCFullYear();
  const autumn = lastSundayAt1Utc(year, 10);
  const summer = ms >= lastSundayAt1Utc(year, 3) && ms < autumn;
  return { wall: new Date(ms + (summer ? 2 : 1) * HOUR_MS), repeated: ms >= autumn - HOUR_MS && ms < autumn + HOUR_MS };
}

/**
 * A wall clock in the shape ical-generator takes for a luxon DateTime (its public
 * ICalLuxonDateTimeStub): it writes the digits worked out here for the event's TZID instead of
 * converting the instant itself. Only the Copenhagen zone and the two formats ical-generator asks
 * for are known; anything else is a programming error and throws.
 */
function wallClockValue(instant: Date, wall: Date): ICalLuxonDateTimeStub {
  const iso = wall.toISOString(); // 2026-03-30T11:30:00.000Z
  const formats: Record<string, string> = {
    yyyyLLdd: iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10),
    HHmmss: iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19),
  };
  const value: ICalLuxonDateTimeStub = {
    isValid: true,
    zone: { type: 'iana' },
    setZone(zone) {
      if (zone !== ZONE) throw new RangeError(`wall clock is in ${ZONE}, asked for ${String(zone)}`);
      return value;
    },
    toFormat(format) {
      const text = formats[format];
      if (text === undefined) throw new RangeError(`unknown format ${format}`);
      return text;
    },
    toJSDate: () => instant,
    toJSON: () => instant.toISOString(),
  };
  return value;
}

/**
 * VTIMEZONE for Europe/Copenhagen. No time zone database ships with ical-generator and
 * @touch4it/ical-timezones is not installed; Denmark has followed the EU rule (CEST from the last
 * Sunday of March 02.00, CET from the last Sunday of October 03.00) since 1996, so the fixed rule
 * describes every date the system handles. Other zones return null (no component written).
 */
export function vtimezone(tzid: string): string | null {
  if (tzid !== ZONE) return null;
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${ZONE}`,
    `X-LIC-LOCATION:${ZONE}`,
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'TZNAME:CEST',
    'DTSTART:19960331T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'TZNAME:CET',
    'DTSTART:19961027T030000',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n');
}
