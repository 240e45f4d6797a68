import { expect } from 'chai';
import ical, { type CalendarResponse, type VEvent } from 'node-ical';
import { insertMeeting } from '../../src/db/repositories/meetings.ts';
import { removeMeeting } from '../../src/domain/meetings/service.ts';
import {
  calendarFeedForToken,
  calendarFeedUrl,
  calendarFeedUrlForEmail,
  FEED_FUTURE_DAYS,
  FEED_MAX_EVENTS,
  FEED_PAST_DAYS,
  renewCalendarFeed,
} from '../../src/domain/calendar/service.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { parseDeadline } from '../../src/domain/time.ts';
import { addMember } from '../../src/domain/users/service.ts';
import { startTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { readWithThreeParsers } from '../support/ical-parsers.ts';
import { makeConsultation, makeCouncilWithPeople, makeUser } from '../support/factories.ts';

function vevents(parsed: CalendarResponse): Map<string, VEvent> {
  const found = new Map<string, VEvent>();
  for (const component of Object.values(parsed)) {
    if (component && component.type === 'VEVENT') found.set(component.uid, component);
  }
  return found;
}

async function fetchFeed(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('calendar feeds', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  it('holds the deadlines and meetings, keeps the UID and raises SEQUENCE when a deadline moves', async () => {
    const deps = app.deps;
    const people = await makeCouncilWithPeople(deps.db);
    const c = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-01-12T12:00' });
    const meeting = await insertMeeting(deps.db, {
      councilId: people.council.id,
      startsAt: parseDeadline('2027-01-07T17:00')!,
      place: 'Rådhuset, mødelokale 2',
    });
    const url = await calendarFeedUrl(deps, people.member.actor);
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/cal_[A-Za-z0-9_-]+\.ics$/);
    expect(await calendarFeedUrl(deps, people.member.actor), 'the address is stable').to.equal(url);

    const first = await fetchFeed(url);
    expect(first.status).to.equal(200);
    expect(first.type).to.match(/^text\/calendar/);
    expect(first.text).to.include('BEGIN:VTIMEZONE');
    let events = vevents(ical.sync.parseICS(first.text));
    const deadline = events.get(`deadline-${c.id}@raadssvar`)!;
    expect(deadline, 'the deadline event').to.not.equal(undefined);
    expect(Number(deadline.sequence)).to.equal(0);
    expect(deadline.end!.toISOString()).to.equal('2027-01-12T11:00:00.000Z');
    expect(deadline.summary).to.be.a('string').that.includes('Høringsfrist: Udkast til Integrationsstrategi');
    const meetingEvent = events.get(`meeting-${meeting.id}@raadssvar`)!;
    expect(meetingEvent.start.toISOString()).to.equal('2027-01-07T16:00:00.000Z');
    expect(meetingEvent.summary).to.equal(`Møde i ${people.council.name}`);

    await sendEvent(deps, people.secretary.actor, c.id, {
      type: 'EXTEND_DEADLINE',
      version: c.version,
      deadline: '2027-02-02T12:00',
      note: 'Forlænget efter aftale',
    });
    events = vevents(ical.sync.parseICS((await fetchFeed(url)).text));
    const moved = events.get(`deadline-${c.id}@raadssvar`)!;
    expect(Number(moved.sequence)).to.equal(1);
    expect(moved.end!.toISOString()).to.equal('2027-02-02T11:00:00.000Z');
    expect([...events.keys()].filter((uid) => uid.includes(c.id))).to.have.length(1);
  });

  it('a council feed shows only that council; a renewed address stops the old one; strangers get 404', async () => {
    const deps = app.deps;
    const [a, b] = await Promise.all([makeCouncilWithPeople(deps.db), makeCouncilWithPeople(deps.db)]);
    const both = await makeUser(deps.db, { council: a.council, role: 'member' });
    await addMember(deps.db, { email: both.email, council: b.council.slug, role: 'member' });
    const inA = await makeConsultation(deps, a.secretary.actor, { council: a.council.slug, deadline: '2027-01-20T12:00' });
    const inB = await makeConsultation(deps, b.secretary.actor, { council: b.council.slug, deadline: '2027-01-21T12:00' });

    const councilUrl = await calendarFeedUrlForEmail(deps, both.email, a.council.slug);
    const uids = [...vevents(ical.sync.parseICS((await fetchFeed(councilUrl)).text)).keys()];
    expect(uids).to.include(`deadline-${inA.id}@raadssvar`);
    expect(uids).to.not.include(`deadline-${inB.id}@raadssvar`);
    const ownUrl = await calendarFeedUrlForEmail(deps, both.email);
    const ownUids = [...vevents(ical.sync.parseICS((await fetchFeed(ownUrl)).text)).keys()];
    expect(ownUids).to.include.members([`deadline-${inA.id}@raadssvar`, `deadline-${inB.id}@raadssvar`]);
    const outsider = await calendarFeedUrl(deps, a.member.actor);
    expect((await fetchFeed(outsider)).text).to.not.include(inB.id);

    const renewed = await renewCalendarFeed(deps, a.member.actor);
    expect(renewed).to.not.equal(outsider);
    expect((await fetchFeed(outsider)).status).to.equal(404);
    expect((await fetchFeed(renewed)).status).to.equal(200);
    expect((await fetchFeed(`${app.baseUrl}/calendar/cal_${'x'.repeat(43)}.ics`)).status).to.equal(404);
    expect((await fetchFeed(`${app.baseUrl}/calendar/nonsense.ics`)).status).to.equal(404);
  });

  it(`holds only the events from ${FEED_PAST_DAYS} days ago to ${FEED_FUTURE_DAYS} days ahead, at most ${FEED_MAX_EVENTS} meetings, soonest first`, async () => {
    const deps = app.deps;
    const people = await makeCouncilWithPeople(deps.db);
    const c = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-03-01T12:00' });
    const url = await calendarFeedUrl(deps, people.member.actor);
    const token = url.slice(url.lastIndexOf('/') + 1, -'.ics'.length);
    const feedAt = async (now: string) =>
      vevents(ical.sync.parseICS((await calendarFeedForToken({ ...deps, clock: () => new Date(now) }, token)).body));
    const uid = `deadline-${c.id}@raadssvar`;
    expect((await feedAt('2027-02-20T00:00:00Z')).has(uid), 'days before the deadline').to.equal(true);
    expect((await feedAt('2027-03-20T00:00:00Z')).has(uid), 'less than 30 days after').to.equal(true);
    expect((await feedAt('2027-04-15T00:00:00Z')).has(uid), 'more than 30 days after').to.equal(false);
    expect((await feedAt('2026-01-15T00:00:00Z')).has(uid), 'more than a year before').to.equal(false);

    const firstMeeting = Date.parse('2027-06-01T15:00:00Z');
    for (let i = 0; i < FEED_MAX_EVENTS + 5; i++) {
      await insertMeeting(deps.db, { councilId: people.council.id, startsAt: new Date(firstMeeting + i * 86_400_000), place: 'Rådhuset' });
    }
    const meetings = [...(await feedAt('2027-05-01T00:00:00Z')).values()].filter((e) => String(e.uid).startsWith('meeting-'));
    expect(meetings).to.have.length(FEED_MAX_EVENTS);
    const starts = meetings.map((e) => e.start.getTime()).sort((a, b) => a - b);
    expect(starts[0], 'the soonest are kept').to.equal(firstMeeting);
  });

  it(`holds at most ${FEED_MAX_EVENTS} deadlines, the soonest, of open consultations only, beside the meetings; three parsers read it`, async function () {
    this.timeout(120_000);
    const deps = app.deps;
    const people = await makeCouncilWithPeople(deps.db);
    const first = Date.parse('2027-02-01T11:00:00Z');
    const open: string[] = [];
    for (let batch = 0; batch < FEED_MAX_EVENTS + 3; batch += 10) {
      const made = await Promise.all(
        Array.from({ length: Math.min(10, FEED_MAX_EVENTS + 3 - batch) }, (_, j) =>
          makeConsultation(deps, people.secretary.actor, {
            council: people.council.slug,
            deadline: new Date(first + (batch + j) * 86_400_000).toISOString(),
          }),
        ),
      );
      open.push(...made.map((c) => c.id));
    }
    // Withdrawn, with the soonest deadline of all: a final consultation has no deadline to keep.
    const gone = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-01-20T12:00' });
    await sendEvent(deps, people.secretary.actor, gone.id, { type: 'WITHDRAW', version: gone.version, reason: 'Trukket tilbage' });
    const meeting = await insertMeeting(deps.db, { councilId: people.council.id, startsAt: parseDeadline('2027-02-04T17:00')!, place: 'Rådhuset' });

    const url = await calendarFeedUrl(deps, people.member.actor);
    const token = url.slice(url.lastIndexOf('/') + 1, -'.ics'.length);
    const { body } = await calendarFeedForToken({ ...deps, clock: () => new Date('2027-01-15T00:00:00Z') }, token);
    const read = await readWithThreeParsers(body);
    expect(read.icalJs, 'ical.js reads what node-ical reads').to.deep.equal(read.nodeIcal);
    expect(read.python, 'Python icalendar reads what node-ical reads').to.deep.equal(read.nodeIcal);
    const uids = read.nodeIcal.map((e) => e.uid);
    const deadlines = uids.filter((uid) => uid.startsWith('deadline-'));
    expect(deadlines, 'the cap').to.have.length(FEED_MAX_EVENTS);
    expect(deadlines, 'the soonest are kept').to.have.members(open.slice(0, FEED_MAX_EVENTS).map((id) => `deadline-${id}@raadssvar`));
    expect(uids, 'a withdrawn consultation').to.not.include(`deadline-${gone.id}@raadssvar`);
    expect(uids, 'the meeting').to.include(`meeting-${meeting.id}@raadssvar`);
    const firstDeadline = read.nodeIcal.find((e) => e.uid === `deadline-${open[0]}@raadssvar`)!;
    expect(firstDeadline.end).to.deep.equal({ utc: '2027-02-01T11:00:00.000Z', zone: 'Europe/Copenhagen', local: '20270201T120000' });
  });

  it('npm run cli -- calendar url --email E [--council SLUG] prints {"url": ...}', async function () {
    this.timeout(120_000);
    const people = await makeCouncilWithPeople(app.deps.db);
    const run = (...args: string[]) => runCli(args, { SESSION_SECRET: app.deps.config.sessionSecret, PUBLIC_URL: app.baseUrl });
    const result = await run('calendar', 'url', '--email', people.chair.email, '--council', people.council.slug);
    expect(result.code).to.equal(0);
    const { url } = JSON.parse(result.stdout) as { url: string };
    expect(url).to.equal(await calendarFeedUrlForEmail(app.deps, people.chair.email, people.council.slug));
    expect((await fetchFeed(url)).status).to.equal(200);
    const refused = await run('calendar', 'url', '--email', people.chair.email, '--council', 'findes-ikke');
    expect(refused.code).to.equal(1);
  });
});

describe('calendar feeds answer conditional requests', () => {
  // The app's clock, moved by the test: "a second later" without sleeping.
  let now = new Date('2027-01-04T09:00:00Z');
  const app = useTestApp({ clock: () => now });
  const later = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  async function get(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { headers });
    return {
      status: response.status,
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
      text: await response.text(),
    };
  }

  it('keeps ETag and Last-Modified while nothing changes, answers 304, and moves both when the feed changes, loses an event or an event leaves the window', async () => {
    const deps = app.deps;
    const people = await makeCouncilWithPeople(deps.db);
    const c = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-01-12T12:00' });
    await insertMeeting(deps.db, { councilId: people.council.id, startsAt: parseDeadline('2027-01-07T17:00')!, place: 'Rådhuset' });
    const url = await calendarFeedUrl(deps, people.member.actor);

    const first = await get(url);
    expect(first.status).to.equal(200);
    expect(first.etag).to.match(/^"[A-Za-z0-9_-]{43}"$/);
    expect(new Date(first.lastModified!).toUTCString()).to.equal(first.lastModified);
    later(1000);
    const again = await get(url);
    expect({ etag: again.etag, lastModified: again.lastModified }, 'a second later, nothing changed').to.deep.equal({
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(again.text).to.equal(first.text);

    const byEtag = await get(url, { 'if-none-match': first.etag! });
    expect(byEtag.status).to.equal(304);
    expect(byEtag.text).to.equal('');
    expect(byEtag.etag).to.equal(first.etag);
    expect((await get(url, { 'if-modified-since': first.lastModified! })).status).to.equal(304);
    expect((await get(url, { 'if-none-match': '"something-else"' })).status).to.equal(200);

    // Each step changes what the feed shows; each must give a new ETag and a later Last-Modified.
    const seen = [first];
    const expectChanged = async (what: string) => {
      later(1000);
      const previous = seen.at(-1)!;
      const current = await get(url);
      expect(current.etag, what).to.not.equal(previous.etag);
      expect(Date.parse(current.lastModified!), what).to.be.greaterThan(Date.parse(previous.lastModified!));
      expect((await get(url, { 'if-none-match': previous.etag! })).status, `${what}: old ETag`).to.equal(200);
      expect((await get(url, { 'if-modified-since': previous.lastModified! })).status, `${what}: old date`).to.equal(200);
      expect((await get(url, { 'if-none-match': current.etag! })).status, `${what}: new ETag`).to.equal(304);
      seen.push(current);
    };

    const extended = await sendEvent(deps, people.secretary.actor, c.id, {
      type: 'EXTEND_DEADLINE',
      version: c.version,
      deadline: '2027-01-19T12:00',
      note: 'Forlænget',
    });
    await expectChanged('the deadline moved');
    const meeting = await insertMeeting(deps.db, {
      councilId: people.council.id,
      startsAt: parseDeadline('2027-01-14T17:00')!,
      place: 'Biblioteket',
    });
    await expectChanged('a new meeting');
    await removeMeeting(deps, people.secretary.actor, people.council.slug, meeting.id);
    await expectChanged('a meeting deleted');
    const other = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2027-01-20T12:00' });
    await expectChanged('a new consultation');
    await sendEvent(deps, people.secretary.actor, other.id, { type: 'WITHDRAW', version: other.version, reason: 'Trukket tilbage' });
    await expectChanged('a consultation reached a final state');
    expect(seen.at(-1)!.text).to.not.include(other.id);
    expect(seen.at(-1)!.text).to.include(`deadline-${extended.id}@raadssvar`);
    later(50 * 86_400_000);
    await expectChanged('the deadline left the window');
    expect(seen.at(-1)!.text).to.not.include(`deadline-${c.id}@raadssvar`);
  });
});
