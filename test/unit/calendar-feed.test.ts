import { expect } from 'chai';
import { DateTime } from 'luxon';
import ical, { type CalendarResponse, type VEvent } from 'node-ical';
import { buildCalendarFeed, vtimezone, type FeedEvent } from '../../src/domain/calendar/feed.ts';
import { ZONE, parseDeadline } from '../../src/domain/time.ts';

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

const now = new Date('2026-03-01T08:00:00Z');
const deadline: FeedEvent = {
  kind: 'deadline',
  id: '7f3c2a10-4b1e-4c8e-9d2a-1f0e5b6c7d8e',
  title: 'Udkast til Integrationsstrategi 2026–2029',
  councilName: 'Integrationsrådet i Næstved Kommune',
  start: at('2026-03-30T12:00'), // Monday after summer time starts
  sequence: 0,
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
  location: 'Rådhuset, mødelokale 2, Valdemarsgade 43, Vordingborg',
};
const name = 'Rådssvar – frister og møder, Integrationsrådet i Næstved Kommune';

describe('buildCalendarFeed', () => {
  it('produces the right events, parsed back with node-ical', () => {
    const text = buildCalendarFeed({ name, events: [deadline, meeting], now });
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
    expect(d.dtstamp.getTime()).to.equal(now.getTime());

    const m = event(parsed, 'meeting-42@raadssvar');
    expect(m.summary).to.equal('Møde i Integrationsrådet i Vordingborg Kommune');
    expect(m.start.getTime()).to.equal(meeting.start.getTime());
    expect(m.end?.getTime()).to.equal(at('2026-03-17T19:30').getTime());
    expect(m.location).to.equal('Rådhuset, mødelokale 2, Valdemarsgade 43, Vordingborg');
    expect(m.description).to.equal('Ordinært møde');
  });

  it('writes Copenhagen local times with a VTIMEZONE, a UTC DTSTAMP and X-WR-CALNAME', () => {
    const text = buildCalendarFeed({ name, events: [deadline, meeting], now });
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
    expect(lines.filter((l) => l.startsWith('DTSTAMP:'))).to.deep.equal(['DTSTAMP:20260301T080000Z', 'DTSTAMP:20260301T080000Z']);
    // RFC 5545: CRLF line ends and lines of at most 75 octets.
    expect(text.replace(/\r\n/g, '')).not.to.include('\n');
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).to.be.at.most(75);

    const parsed = ical.sync.parseICS(text);
    expect(parsed.vcalendar?.['WR-CALNAME']).to.equal(name);
    expect(Object.values(parsed).some((c) => c?.type === 'VTIMEZONE')).to.equal(true);
  });

  it('keeps UIDs stable across builds and moves the deadline with a higher SEQUENCE', () => {
    const first = ical.sync.parseICS(buildCalendarFeed({ name, events: [deadline, meeting], now }));
    const extended: FeedEvent = { ...deadline, start: at('2026-04-14T12:00'), sequence: 1 };
    const second = ical.sync.parseICS(buildCalendarFeed({ name, events: [meeting, extended], now: new Date('2026-03-20T09:15:00Z') }));
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
    const a = buildCalendarFeed({ name, events: [deadline, meeting], now });
    const b = buildCalendarFeed({ name, events: [meeting, deadline], now });
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
      description: 'Første linje med æøå ÆØÅ.\nAnden linje: høringssvar, fristforlængelse og formandsbeslutning.',
    };
    const text = buildCalendarFeed({ name: 'Frister – Det Nationale Integrationsråd', events: [danish], now });
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
    const parsed = event(ical.sync.parseICS(buildCalendarFeed({ name, events: [short], now })), 'meeting-42@raadssvar');
    expect(parsed.end?.getTime()).to.equal(at('2026-03-17T19:00').getTime());
    expect(parsed.description).to.equal(undefined);
    expect(() => buildCalendarFeed({ name, events: [{ ...meeting, sequence: -1 }], now })).to.throw(RangeError);
  });

  it('an empty feed is still a valid calendar', () => {
    const text = buildCalendarFeed({ name, events: [], now });
    expect(unfold(text).at(-1)).to.equal('END:VCALENDAR');
    expect(events(ical.sync.parseICS(text)).size).to.equal(0);
  });
});

describe('the Europe/Copenhagen VTIMEZONE', () => {
  it('its fixed CET/CEST rule matches the time zone database, 1996–2040', () => {
    // Last Sunday of March/October at 01.00 UTC, as the RRULEs with DTSTART 02.00 CET / 03.00 CEST say.
    const lastSundayAt1Utc = (year: number, month: number): DateTime => {
      let day = DateTime.utc(year, month, 1).endOf('month').startOf('day');
      while (day.weekday !== 7) day = day.minus({ days: 1 });
      return day.set({ hour: 1 });
    };
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
});
