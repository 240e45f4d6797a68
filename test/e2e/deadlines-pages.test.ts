import { expect } from 'chai';
import { insertMeeting, listMeetings } from '../../src/db/repositories/meetings.ts';
import { listOptedOutCouncilIds } from '../../src/db/repositories/reminders.ts';
import { parseDeadline } from '../../src/domain/time.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeConsultation, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

const decode = (html: string) =>
  html
    .replace(/&#x3D;/g, '=')
    .replace(/&#x2F;/g, '/')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');

describe('profile, meeting calendar and deadline advice pages', () => {
  let app: TestApp;
  const clock = () => new Date('2026-12-01T09:00:00Z');
  before(async () => {
    app = await startTestApp({ clock });
  });
  after(() => app.close());

  async function logIn(user: { email: string; password: string }) {
    const web = new WebSession(app.baseUrl);
    await web.logIn(user.email, user.password);
    return web;
  }

  it('the profile switches reminders off per council and shows a working, renewable feed address', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const web = await logIn(people.chair);
    let page = await web.get('/profile');
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`id="remind-${people.council.slug}"`).and.include('checked');
    const feed = /id="feed-own" type="text" readonly value="([^"]+)"/.exec(page.text)![1]!;
    const feedUrl = decode(feed);
    expect((await fetch(feedUrl)).status).to.equal(200);

    const off = await web.postForm('/profile/reminders', { _csrf: WebSession.csrfToken(page.text) });
    expect(off.status).to.equal(303);
    expect(await listOptedOutCouncilIds(app.deps.db, people.chair.actor.userId)).to.deep.equal([people.council.id]);
    page = await web.get('/profile?saved=reminders');
    expect(page.text).to.include('Dine påmindelser er gemt');
    const on = await web.postForm('/profile/reminders', { _csrf: WebSession.csrfToken(page.text), remind: people.council.slug });
    expect(on.status).to.equal(303);
    expect(await listOptedOutCouncilIds(app.deps.db, people.chair.actor.userId)).to.deep.equal([]);
    const foreign = await web.postForm('/profile/reminders', { _csrf: WebSession.csrfToken(page.text), remind: 'et-andet-raad' });
    expect(foreign.status).to.equal(422);
    expect(foreign.text).to.include('Du sidder ikke i det valgte råd');

    const renewed = await web.postForm('/profile/calendar', { _csrf: WebSession.csrfToken(page.text) });
    expect(renewed.status).to.equal(303);
    expect((await fetch(feedUrl)).status).to.equal(404);
    page = await web.get('/profile');
    const newFeed = decode(/id="feed-own" type="text" readonly value="([^"]+)"/.exec(page.text)![1]!);
    expect(newFeed).to.not.equal(feedUrl);
    expect((await fetch(newFeed)).status).to.equal(200);
    const noCsrf = await web.postForm('/profile/calendar', {});
    expect(noCsrf.status).to.equal(403);
  });

  it("the secretary edits the council's meeting calendar; others get 404", async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const path = `/councils/${people.council.slug}/meetings`;
    const web = await logIn(people.secretary);
    let page = await web.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Der er ingen kommende møder').and.include('<label for="date">Dato</label>');

    const bad = await web.postForm(path, { _csrf: WebSession.csrfToken(page.text), date: '2027-01-07', time: '25:00', place: 'Rådhuset' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.include('Skriv et klokkeslæt som 17:00').and.include('value="Rådhuset"');

    const ok = await web.postForm(path, {
      _csrf: WebSession.csrfToken(page.text),
      date: '2027-01-07',
      time: '17:00',
      place: 'Rådhuset, mødelokale 2',
    });
    expect(ok.status).to.equal(303);
    page = await web.get(path);
    expect(page.text).to.include('7. januar 2027, kl. 17.00').and.include('Rådhuset, mødelokale 2');
    const [meeting] = await listMeetings(app.deps.db, people.council.id);
    expect(meeting!.starts_at.toISOString()).to.equal('2027-01-07T16:00:00.000Z');

    for (const other of [people.chair, people.member, people.staff]) {
      const session = await logIn(other);
      expect((await session.get(path)).status, 'GET as non-secretary').to.equal(404);
      const otherPage = await session.get('/profile');
      const post = await session.postForm(`${path}/${meeting!.id}/delete`, { _csrf: WebSession.csrfToken(otherPage.text) });
      expect(post.status, 'delete as non-secretary').to.equal(404);
    }
    const stranger = await logIn(await makeUser(app.deps.db));
    expect((await stranger.get(path)).status).to.equal(404);
    const admin = await logIn(await makeUser(app.deps.db, { admin: true }));
    expect((await admin.get(path)).status).to.equal(200);

    const del = await web.postForm(`${path}/${meeting!.id}/delete`, { _csrf: WebSession.csrfToken(page.text) });
    expect(del.status).to.equal(303);
    expect(await listMeetings(app.deps.db, people.council.id)).to.deep.equal([]);
  });

  it('the consultation page advises a meeting in time, or offers the ways out with an extension letter', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    // 2026-12-01 is "now"; the council meets 10 December; one deadline after it, one before.
    await insertMeeting(app.deps.db, { councilId: people.council.id, startsAt: parseDeadline('2026-12-10T17:00')!, place: 'Rådhuset' });
    const inTime = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: '2026-12-18T12:00' });
    const tooSoon = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: '2026-12-08T12:00' });
    const web = await logIn(people.secretary);

    const meetingPage = (await web.get(`/consultations/${inTime.id}`)).text;
    expect(meetingPage).to.include('Råd om fristen').and.include('Sæt høringen på dagsordenen');
    expect(meetingPage).to.include('3. december 2026'); // the draft goes out with the agenda, 5 working days before

    const noMeetingPage = (await web.get(`/consultations/${tooSoon.id}`)).text;
    expect(noMeetingPage).to.include('Intet møde før fristen').and.include('Formandsbeslutning').and.include('Skriftlig procedure');
    expect(noMeetingPage).to.include('Anmodning om fristforlængelse').and.include('15. december 2026');

    const staff = await logIn(people.staff);
    const staffPage = (await staff.get(`/consultations/${tooSoon.id}`)).text;
    expect(staffPage).to.include('Intet møde før fristen').and.not.include('Anmodning om fristforlængelse');
  });

  it('shows calendar days with the working days among them, and says which days count', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    // From Tuesday 1 December 2026 to Tuesday 8 December: 7 calendar days, of which 2–4 and 7–8 December are working days.
    const soon = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: '2026-12-08T12:00' });
    const web = await logIn(people.secretary);
    const counting =
      'Arbejdsdage er mandag til fredag undtagen helligdage, grundlovsdag (5. juni), juleaftensdag (24. december) og nytårsaftensdag (31. december).';

    const page = (await web.get(`/consultations/${soon.id}`)).text;
    expect(page).to.include('Snart: 7 dage tilbage (5 arbejdsdage)').and.include(counting);
    const queue = (await web.get('/')).text;
    expect(queue).to.include('Snart: 7 dage tilbage (5 arbejdsdage)').and.include(counting);
  });
});
