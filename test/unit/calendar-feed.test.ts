import { expect } from 'chai';
import { DateTime } from 'luxon';
import ical, { type CalendarResponse, type VEvent } from 'node-ical';
import { buildCalendarFeed, copenhagenWallClock, FEED_REFRESH_SECONDS, vtimezone, type FeedEvent } from '../../src/domain/calendar/feed.ts';
import { isInRepeatedHour, ZONE, parseDeadline } from '../../src/domain/time.ts';
import { readWithThreeParsers } from '../support/ical-parsers.ts';

function at(local: string): Date {
  const d = parseDeadline(local);
  if (!d) throw new Error(`bad date ${local}`);
  return d;
}

function events(parsed: CalendarResponse): Map<string, VEvent> {
  const found = new Map<string, VEvent>();
  for (const component of Object.values(parsed)) {
    if (component && component.type === 'VEVENT') found.set(component.uid, component);
  }
  return found;
}

function event(parsed: CalendarResponse, uid: string): VEvent {
  const found = events(parsed).get(uid);
  if (!found) throw new Error(`no event ${uid}`);
  return found;
}

/** node-ical gives some properties (URL;VALUE=URI) as { params, val } despite its types saying string. */
function plain(value: unknown): unknown {
  return value && typeof value === 'object' && 'val' in value ? value.val : value;
}

/** Unfolds RFC 5545 content lines, so assertions on raw text do not depend on where lines fold. */
function unfold(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split('\r\n');
}

const deadline: FeedEvent = {
  kind: 'deadline',
  id: '7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e',
  title: 'Udkast til Integrationsstrategi 2026–2029',
  councilName: 'Integrationsrådet i Næstved Kommune',
  start: at('2026-03-30T12:00'), // Monday after summer time starts
  sequence: 0,
  changedAt: new Date('2026-03-01T08:00:00Z'),
  description:
    'Høring fra Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune. Rådet ønsker især at se på ' +
    'sprogundervisning, fritidsjob og foreningsliv for børn og unge; svaret godkendes af formanden.',
  url: 'https://raadssvar.example.dk/hoeringer/7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e',
};
const meeting: FeedEvent = {
  kind: 'meeting',
  id: '42',
  title: 'Ordinært møde',
  councilName: 'Integrationsrådet i Vordingborg Kommune',
  start: at('2026-03-17T17:00'),
  end: at('2026-03-17T19:30'),
  sequence: 0,
  changedAt: new Date('2026-02-20T10:15:30Z'),
  location: 'Rådhuset, mødelokale 2, Valdemarsgade 43, Vordingborg',
};
const name = 'Rådssvar – frister og møder, Integrationsrådet i Næstved Kommune';

describe('buildCalendarFeed', () => {
  it('produces the right events, parsed back with node-ical', () => {
    const text = buildCalendarFeed({ name, events: [deadline, meeting] });
    const parsed = ical.sync.parseICS(text);
    expect([...events(parsed).keys()].sort()).to.deep.equal(['deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar', 'meeting-42@raadssvar']);

    const d = event(parsed, 'deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar');
    expect(d.summary).to.equal('Høringsfrist: Udkast til Integrationsstrategi 2026–2029 (Integrationsrådet i Næstved Kommune)');
    // A 30-minute block ending at the deadline.
    expect(d.end?.getTime()).to.equal(deadline.start.getTime());
    expect(d.start.getTime()).to.equal(deadline.start.getTime() - 30 * 60_000);
    expect(Number(d.sequence)).to.equal(0);
    expect(d.description).to.equal(deadline.description);
    expect(plain(d.url)).to.equal(deadline.url);
    expect(d.transparency).to.equal('TRANSPARENT');
    expect(d.dtstamp.getTime()).to.equal(deadline.changedAt.getTime());

    const m = event(parsed, 'meeting-42@raadssvar');
    expect(m.summary).to.equal('Møde i Integrationsrådet i Vordingborg Kommune');
    expect(m.start.getTime()).to.equal(meeting.start.getTime());
    expect(m.end?.getTime()).to.equal(at('2026-03-17T19:30').getTime());
    expect(m.location).to.equal('Rådhuset, mødelokale 2, Valdemarsgade 43, Vordingborg');
    expect(m.description).to.equal('Ordinært møde');
  });

  it('writes Copenhagen local times with a VTIMEZONE, a UTC DTSTAMP and X-WR-CALNAME', () => {
    const text = buildCalendarFeed({ name, events: [deadline, meeting] });
    const lines = unfold(text);
    expect(lines[0]).to.equal('BEGIN:VCALENDAR');
    expect(lines).to.include(`X-WR-CALNAME:${name}`);
    expect(lines).to.include('X-WR-TIMEZONE:Europe/Copenhagen');
    expect(lines).to.include('BEGIN:VTIMEZONE');
    expect(lines).to.include('TZID:Europe/Copenhagen');
    expect(lines).to.include('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
    expect(lines).to.include('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU');
    expect(lines.filter((l) => l === 'BEGIN:VTIMEZONE')).to.have.length(1);
    // 12.00 CEST stays 12.00 local, not 10.00 UTC.
    expect(lines).to.include('DTSTART;TZID=Europe/Copenhagen:20260330T113000');
    expect(lines).to.include('DTEND;TZID=Europe/Copenhagen:20260330T120000');
    expect(lines).to.include('DTSTART;TZID=Europe/Copenhagen:20260317T170000');
    expect(lines.filter((l) => l.startsWith('DTSTAMP:'))).to.deep.equal(['DTSTAMP:20260220T101530Z', 'DTSTAMP:20260301T080000Z']);
    // RFC 5545: CRLF line ends and lines of at most 75 octets.
    expect(text.replace(/\r\n/g, '')).not.to.include('\n');
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).to.be.at.most(75);

    const parsed = ical.sync.parseICS(text);
    expect(parsed.vcalendar?.['WR-CALNAME']).to.equal(name);
    expect(Object.values(parsed).some((c) => c?.type === 'VTIMEZONE')).to.equal(true);
  });

  it('keeps UIDs stable across builds and moves the deadline with a higher SEQUENCE', () => {
    const first = ical.sync.parseICS(buildCalendarFeed({ name, events: [deadline, meeting] }));
    const extended: FeedEvent = { ...deadline, start: at('2026-04-14T12:00'), sequence: 1, changedAt: new Date('2026-03-20T09:15:00Z') };
    const second = ical.sync.parseICS(buildCalendarFeed({ name, events: [meeting, extended] }));
    expect([...events(second).keys()].sort()).to.deep.equal([...events(first).keys()].sort());

    const uid = 'deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar';
    const before = event(first, uid);
    const after = event(second, uid);
    expect(Number(after.sequence)).to.be.greaterThan(Number(before.sequence));
    expect(after.start.getTime()).to.be.greaterThan(before.start.getTime());
    expect(after.end?.getTime()).to.equal(at('2026-04-14T12:00').getTime());
    expect(event(second, 'meeting-42@raadssvar').start.getTime()).to.equal(event(first, 'meeting-42@raadssvar').start.getTime());
  });

  it('is identical for identical input (events in start order)', () => {
    const a = buildCalendarFeed({ name, events: [deadline, meeting] });
    const b = buildCalendarFeed({ name, events: [meeting, deadline] });
    expect(a).to.equal(b);
    const lines = unfold(a);
    expect(lines.indexOf('UID:meeting-42@raadssvar')).to.be.lessThan(lines.indexOf('UID:deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar'));
  });

  it('keeps æ, ø and å intact through escaping and line folding', () => {
    const danish: FeedEvent = {
      kind: 'deadline',
      id: '9',
      title: 'Forslag til lov om ændring af integrationsloven; særlige regler for børn, unge og ældre',
      councilName: 'Det Nationale Integrationsråd',
      start: at('2026-10-26T12:00'), // Monday after summer time ends
      sequence: 3,
      changedAt: new Date('2026-10-01T12:00:00Z'),
      description: 'Første linje med æøå ÆØÅ.\nAnden linje: høringssvar, fristforlængelse og formandsbeslutning.',
    };
    const text = buildCalendarFeed({ name: 'Frister – Det Nationale Integrationsråd', events: [danish] });
    expect(unfold(text).find((l) => l.startsWith('SUMMARY:'))).to.equal(
      'SUMMARY:Høringsfrist: Forslag til lov om ændring af integrationsloven\\; særlige regler for børn\\, ' +
        'unge og ældre (Det Nationale Integrationsråd)',
    );
    // The summary is long enough to be folded, and folding never splits a multi-byte letter.
    const physical = text.split('\r\n');
    expect(physical[physical.findIndex((l) => l.startsWith('SUMMARY:')) + 1]).to.match(/^ /);
    const parsed = event(ical.sync.parseICS(text), 'deadline-9@raadssvar');
    expect(parsed.summary).to.equal(
      'Høringsfrist: Forslag til lov om ændring af integrationsloven; særlige regler for børn, unge og ældre (Det Nationale Integrationsråd)',
    );
    expect(parsed.description).to.equal(danish.description);
    expect(Number(parsed.sequence)).to.equal(3);
    expect(parsed.end?.getTime()).to.equal(new Date('2026-10-26T11:00:00Z').getTime()); // 12.00 CET
    expect(unfold(text)).to.include('DTEND;TZID=Europe/Copenhagen:20261026T120000');
  });

  it('gives a meeting without an end two hours, and rejects a bad SEQUENCE', () => {
    const short: FeedEvent = { ...meeting, end: undefined, title: '', location: undefined };
    const parsed = event(ical.sync.parseICS(buildCalendarFeed({ name, events: [short] })), 'meeting-42@raadssvar');
    expect(parsed.end?.getTime()).to.equal(at('2026-03-17T19:00').getTime());
    expect(parsed.description).to.equal(undefined);
    expect(() => buildCalendarFeed({ name, events: [{ ...meeting, sequence: -1 }] })).to.throw(RangeError);
  });

  it('an empty feed is still a valid calendar', () => {
    const text = buildCalendarFeed({ name, events: [] });
    expect(unfold(text).at(-2)).to.equal('END:VCALENDAR');
    expect(text.endsWith('END:VCALENDAR\r\n')).to.equal(true);
    expect(events(ical.sync.parseICS(text)).size).to.equal(0);
  });
});

describe('the feed as bytes, read by three independent parsers', () => {
  // Summer time, winter time, and both passes of the autumn hour that happens twice (25 October
  // 2026, 02.00–02.59). RFC 5545 reads a TZID time there as the first pass, these three parsers as
  // the second: the feed writes such events in UTC, so every reader gets the stored instant.
  const autumnFirst: FeedEvent = { ...meeting, id: '43', start: at('2026-10-25T02:15'), end: at('2026-10-25T02:45') };
  const autumnSecond: FeedEvent = { ...meeting, id: '44', start: new Date('2026-10-25T01:15:00Z'), end: new Date('2026-10-25T01:45:00Z') };
  const winter: FeedEvent = { ...deadline, id: 'winter', start: at('2026-12-01T12:00'), sequence: 2 };
  const all = [deadline, meeting, autumnFirst, autumnSecond, winter];

  it('ends every line with CRLF, the last one included, and has no bare CR or LF', () => {
    const bytes = Buffer.from(buildCalendarFeed({ name, events: all }), 'utf8');
    expect(bytes.subarray(-15).toString('latin1')).to.equal('END:VCALENDAR\r\n');
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x0a) expect(bytes[i - 1], `LF at byte ${i} without CR`).to.equal(0x0d);
      if (bytes[i] === 0x0d) expect(bytes[i + 1], `CR at byte ${i} without LF`).to.equal(0x0a);
    }
  });

  it('writes every calendar property before the first component, the VTIMEZONE before the events, and asks for an hourly refresh', () => {
    const lines = unfold(buildCalendarFeed({ name, events: all }));
    const firstComponent = lines.findIndex((l, i) => i > 0 && l.startsWith('BEGIN:'));
    expect(lines[firstComponent]).to.equal('BEGIN:VTIMEZONE');
    const header = lines.slice(0, firstComponent);
    expect(header).to.include.members([
      'X-WR-TIMEZONE:Europe/Copenhagen',
      `X-WR-CALNAME:${name}`,
      'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
      'X-PUBLISHED-TTL:PT1H',
    ]);
    expect(FEED_REFRESH_SECONDS).to.equal(3600);
    // Nothing but components after the first one: no property of the calendar trails the events.
    const lastEnd = lines.lastIndexOf('END:VEVENT');
    expect(lines.slice(lastEnd + 1)).to.deep.equal(['END:VCALENDAR', '']);
    expect(lines.indexOf('END:VTIMEZONE')).to.be.lessThan(lines.indexOf('BEGIN:VEVENT'));
  });

  it('node-ical, ical.js and Python icalendar accept the feed and read the same UIDs, summaries and times in the right zone', async function () {
    this.timeout(30_000);
    const read = await readWithThreeParsers(buildCalendarFeed({ name, events: all }));
    expect(read.nodeIcal.map((e) => e.uid)).to.deep.equal([
      'deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar',
      'deadline-winter@raadssvar',
      'meeting-42@raadssvar',
      'meeting-43@raadssvar',
      'meeting-44@raadssvar',
    ]);
    expect(read.icalJs, 'ical.js reads what node-ical reads').to.deep.equal(read.nodeIcal);
    expect(read.python, 'Python icalendar reads what node-ical reads').to.deep.equal(read.nodeIcal);

    const byUid = new Map(read.nodeIcal.map((e) => [e.uid, e]));
    expect(byUid.get('deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar')).to.deep.equal({
      uid: 'deadline-7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e@raadssvar',
      summary: 'Høringsfrist: Udkast til Integrationsstrategi 2026–2029 (Integrationsrådet i Næstved Kommune)',
      start: { utc: '2026-03-30T09:30:00.000Z', zone: ZONE, local: '20260330T113000' },
      end: { utc: '2026-03-30T10:00:00.000Z', zone: ZONE, local: '20260330T120000' },
    });
    expect(byUid.get('deadline-winter@raadssvar')!.end).to.deep.equal({ utc: '2026-12-01T11:00:00.000Z', zone: ZONE, local: '20261201T120000' });
    expect(byUid.get('meeting-42@raadssvar')!.start).to.deep.equal({ utc: '2026-03-17T16:00:00.000Z', zone: ZONE, local: '20260317T170000' });
    // 02.15 the first time (summer time, how a typed 02.15 is read) and the second time, both in UTC.
    expect(byUid.get('meeting-43@raadssvar')!.start).to.deep.equal({ utc: '2026-10-25T00:15:00.000Z', zone: 'UTC', local: '20261025T001500' });
    expect(byUid.get('meeting-44@raadssvar')!.start).to.deep.equal({ utc: '2026-10-25T01:15:00.000Z', zone: 'UTC', local: '20261025T011500' });
  });

  it("is the same text at every build: DTSTAMP and LAST-MODIFIED are each event's own change", () => {
    const text = buildCalendarFeed({ name, events: all });
    expect(buildCalendarFeed({ name, events: [...all].reverse() })).to.equal(text);
    const lines = unfold(text);
    expect(lines.filter((l) => l.startsWith('LAST-MODIFIED:'))).to.have.length(all.length);
    expect(lines).to.include('DTSTAMP:20260220T101530Z').and.include('LAST-MODIFIED:20260220T101530Z');
  });
});

describe('the Europe/Copenhagen VTIMEZONE', () => {
  // Last Sunday of March/October at 01.00 UTC, as the RRULEs with DTSTART 02.00 CET / 03.00 CEST say.
  const lastSundayAt1Utc = (year: number, month: number): DateTime => {
    let day = DateTime.utc(year, month, 1).endOf('month').startOf('day');
    while (day.weekday !== 7) day = day.minus({ days: 1 });
    return day.set({ hour: 1 });
  };

  it('its fixed CET/CEST rule matches the time zone database, 1996–2040', () => {
    for (let year = 1996; year <= 2040; year++) {
      const spring = lastSundayAt1Utc(year, 3);
      const autumn = lastSundayAt1Utc(year, 10);
      expect(spring.minus({ minutes: 1 }).setZone(ZONE).offset, `${year} spring`).to.equal(60);
      expect(spring.setZone(ZONE).offset, `${year} spring`).to.equal(120);
      expect(autumn.minus({ minutes: 1 }).setZone(ZONE).offset, `${year} autumn`).to.equal(120);
      expect(autumn.setZone(ZONE).offset, `${year} autumn`).to.equal(60);
    }
    // The component's own DTSTARTs are the first transitions of the rule.
    const component = vtimezone(ZONE) ?? '';
    expect(component).to.include('DTSTART:19960331T020000');
    expect(component).to.include('DTSTART:19961027T030000');
    expect(vtimezone('Europe/Berlin')).to.equal(null);
  });

  it('the wall clocks the feed writes follow the time zone database, every 20 minutes around each clock change and at random instants, 1996–2040', () => {
    const instants: number[] = [];
    for (let year = 1996; year <= 2040; year++) {
      for (const month of [3, 10]) {
        // A day either side of the change, every 20 minutes (on the hour, so the change itself is hit).
        const change = lastSundayAt1Utc(year, month).toMillis();
        for (let t = change - 86_400_000; t <= change + 86_400_000; t += 20 * 60_000) instants.push(t);
      }
    }
    let seed = 15;
    for (let i = 0; i < 1000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      instants.push(Date.UTC(1996, 0, 1) + Math.floor((seed / 2_147_483_648) * 45 * 365 * 1440) * 60_000);
    }
    for (const ms of instants) {
      const instant = new Date(ms);
      const expected = DateTime.fromMillis(ms, { zone: ZONE });
      const { wall, repeated } = copenhagenWallClock(instant);
      expect(wall.getTime(), instant.toISOString()).to.equal(ms + expected.offset * 60_000);
      expect(repeated, instant.toISOString()).to.equal(isInRepeatedHour(instant));
    }
  });
});
