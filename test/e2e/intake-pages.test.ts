import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findConsultationRow } from '../../src/db/repositories/consultations.ts';
import { listSeenMails } from '../../src/db/repositories/intake.ts';
import { pollFeedWatch } from '../../src/domain/intake/feed-watch.ts';
import { pollMailbox } from '../../src/domain/intake/mail-intake.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { startImapServer, type ImapServer } from '../support/imap-server.ts';
import { directMailWithoutDeadline, outlookForward, unreadableMail } from '../support/intake-mails.ts';
import { startTestScheduler, waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

/** The suggestions on a queue page: each one's number and title. */
function suggestionsIn(html: string): { id: string; title: string }[] {
  return [...html.matchAll(/<li class="suggestion">([\s\S]*?)<\/li>/g)].map((m) => ({
    id: /\/feed-suggestions\/(\d+)\/accept/.exec(m[1]!)![1]!,
    title: /<p class="suggestion-title"><a [^>]*>([^<]*)<\/a>/.exec(m[1]!)![1]!,
  }));
}

const FEED_FIXTURE = new URL('../fixtures/feeds/hoeringsportalen.atom', import.meta.url);

/** The pages of what arrives by itself: the admin's intake page, the queue's suggestions and unreadable mails, the confirmation form. */
describe('intake pages: mailbox and Høringsportalen settings, suggestions in the queue, the deadline confirmed on the page', function () {
  this.timeout(180_000);
  let app: TestApp;
  let imap: ImapServer;
  let feedServer: Server;
  let feedUrl: string;
  let feedRequests = 0;
  const logLines: string[] = [];

  before(async () => {
    // Every log line the app writes, at the most talkative level, to look for secrets in.
    const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
    app = await startTestApp({ deps: { logger } });
    imap = await startImapServer();
    const atom = await readFile(FEED_FIXTURE);
    feedServer = createServer((req, res) => {
      feedRequests += 1;
      if (req.url !== '/Hearing/Feed') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(atom);
    });
    await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/Hearing/Feed`;
  });
  after(async () => {
    await app?.close();
    await imap?.stop();
    await new Promise((resolve) => feedServer?.close(resolve));
  });

  async function adminSession() {
    const admin = await makeUser(testDatabase().db, { admin: true });
    return WebSession.loggedIn(app.baseUrl, admin);
  }

  async function intakePage(web: WebSession, councilId: number) {
    const page = await web.get(`/admin/councils/${councilId}/intake`);
    expect(page.status).to.equal(200);
    return { page, csrf: WebSession.csrfToken(page.text) };
  }

  it('lets an admin connect a mailbox and test it, never showing or logging the password, and refuses bad settings in Danish keeping what was typed', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const web = await adminSession();
    const councilPage = await web.get(`/admin/councils/${people.council.id}`);
    expect(councilPage.text).to.include(`href="/admin/councils/${people.council.id}/intake"`);

    const { csrf } = await intakePage(web, people.council.id);
    const user = `raad-${unique()}`;
    // A bad port and no password the first time: both refused beside their fields, the rest kept.
    const refused = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: 'nul',
      username: user,
      password: '',
      folder: 'INBOX',
      afterProcessing: 'move',
      processedFolder: 'Behandlet',
      enabled: 'on',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('Porten skal være et tal');
    expect(refused.text).to.include(`value="${user}"`);
    const noPassword = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: String(imap.port),
      username: user,
      password: '',
      afterProcessing: 'move',
      enabled: 'on',
    });
    expect(noPassword.status).to.equal(422);
    expect(noPassword.text).to.include('Angiv adgangskoden');

    const saved = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: String(imap.port),
      username: user,
      password: imap.password,
      folder: 'INBOX',
      afterProcessing: 'flag',
      processedFolder: 'Behandlet',
      enabled: 'on',
    });
    expect(saved.status).to.equal(303);
    const shown = await web.follow(saved);
    expect(shown.text).to.include('Postkassen er gemt');
    expect(shown.text).to.include('En adgangskode er gemt (krypteret) og vises aldrig');
    expect(shown.text).to.not.include(imap.password);

    const tested = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox/test`, { _csrf: WebSession.csrfToken(shown.text) });
    expect(tested.status).to.equal(200);
    expect(tested.text).to.include('Forbindelsen virker');

    // A wrong password, typed again: the refusal from the server is in Danish and the typed password goes nowhere.
    const wrong = `forkert-${unique()}`;
    await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: String(imap.port),
      username: user,
      password: wrong,
      folder: 'INBOX',
      afterProcessing: 'flag',
      processedFolder: 'Behandlet',
      enabled: 'on',
    });
    const failed = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox/test`, { _csrf: csrf });
    expect(failed.text).to.include('Serveren afviste brugernavn eller adgangskode');
    expect(failed.text).to.not.include(wrong);
    const poll = await pollMailbox(app.deps, people.council.id);
    expect(poll.error).to.be.a('string');
    const log = logLines.join('\n');
    expect(log).to.include(`/admin/councils/${people.council.id}/intake/mailbox`);
    expect(log).to.not.include(imap.password);
    expect(log).to.not.include(wrong);

    // Nobody but an admin reaches the page or its forms.
    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    expect((await secretary.get(`/admin/councils/${people.council.id}/intake`)).status).to.equal(404);
    const deleted = await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox/delete`, { _csrf: csrf });
    expect((await web.follow(deleted)).text).to.include('Postkassen er fjernet');
  });

  it('suggests matching hearings from a recorded Høringsportalen feed to the secretary, who takes one in and dismisses another; neither comes back', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const other = await makeCouncilWithPeople(db);
    const web = await adminSession();
    const { csrf } = await intakePage(web, people.council.id);
    const badUrl = await web.postForm(`/admin/councils/${people.council.id}/intake/feed`, {
      _csrf: csrf,
      url: 'file:///etc/passwd',
      keywords: 'flygtninge',
      authorities: '',
      enabled: 'on',
    });
    expect(badUrl.status).to.equal(422);
    expect(badUrl.text).to.include('Adressen skal begynde med https:// eller http://');
    expect(badUrl.text).to.include('flygtninge');
    const saved = await web.postForm(`/admin/councils/${people.council.id}/intake/feed`, {
      _csrf: csrf,
      url: feedUrl,
      keywords: 'flygtninge',
      authorities: 'Udlændinge- og Integrationsministeriet',
      enabled: 'on',
    });
    expect(saved.status).to.equal(303);

    const before = feedRequests;
    const first = await pollFeedWatch(app.deps, people.council.id);
    expect(feedRequests).to.equal(before + 1);
    // Two hearings from the ministry, one by the keyword; the fisheries hearing matches neither.
    expect(first).to.include({ polled: true, suggested: 3, error: null });

    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const queue = await secretary.get('/');
    expect(queue.text).to.include('Foreslået fra Høringsportalen');
    expect(queue.text).to.include('styrket introduktionsprogram');
    expect(queue.text).to.include('danskuddannelse til voksne udlændinge');
    expect(queue.text).to.include('nyankomne flygtninge');
    expect(queue.text).to.not.include('fiskeri med bundgarn');
    expect(queue.text).to.not.include('alert("feed")');
    // Members and another council's secretary see no suggestions.
    const member = await WebSession.loggedIn(app.baseUrl, people.member);
    expect((await member.get('/')).text).to.not.include('Foreslået fra Høringsportalen');
    const stranger = await WebSession.loggedIn(app.baseUrl, other.secretary);
    const strangerQueue = await stranger.get('/');
    expect(strangerQueue.text).to.not.include('styrket introduktionsprogram');

    const suggested = suggestionsIn(queue.text);
    expect(suggested).to.have.length(3);
    const lawSuggestion = suggested.find((s) => s.title.includes('integrationsloven'))!.id;
    const fish = suggested.find((s) => s.title.includes('danskuddannelse'))!.id;

    // Another council's secretary can neither take in nor dismiss this council's suggestion.
    const foreign = await stranger.postForm(`/feed-suggestions/${lawSuggestion}/accept`, { _csrf: WebSession.csrfToken(strangerQueue.text) });
    expect(foreign.status).to.equal(404);

    const accepted = await secretary.postForm(`/feed-suggestions/${lawSuggestion}/accept`, { _csrf: WebSession.csrfToken(queue.text) });
    expect(accepted.status).to.equal(303);
    const page = await secretary.follow(accepted);
    expect(page.path).to.match(/^\/consultations\//);
    expect(page.text).to.include('Fundet på Høringsportalen');
    expect(page.text).to.include('Høringsfristen er fredag den 15. januar 2027 kl. 12.00');
    expect(page.text).to.include('Udlændinge- og Integrationsministeriet');
    expect(page.text).to.include('https://hoeringsportalen.dk/Hearing/Details/71234');
    expect(page.text).to.include('id="formular-intake"');
    const row = await findConsultationRow(db, page.path.split('/')[2]!);
    expect(row).to.include({ council_id: people.council.id, intake_source: 'feed', intake_confirmed_at: null, state: 'assigned' });
    expect(row!.deadline.toISOString()).to.equal('2027-01-15T11:00:00.000Z');
    const again = await secretary.postForm(`/feed-suggestions/${lawSuggestion}/accept`, { _csrf: WebSession.csrfToken(queue.text) });
    expect(again.status).to.equal(409);

    const dismissed = await secretary.postForm(`/feed-suggestions/${fish}/dismiss`, { _csrf: WebSession.csrfToken(queue.text) });
    const afterDismiss = await secretary.follow(dismissed);
    expect(afterDismiss.text).to.include('Forslaget er afvist');
    expect(afterDismiss.text).to.not.include(`/feed-suggestions/${fish}/accept`);
    expect(afterDismiss.text).to.not.include(`/feed-suggestions/${lawSuggestion}/accept`);

    // The next poll (the lease of the first has been given back) suggests nothing it suggested before.
    const second = await pollFeedWatch(app.deps, people.council.id);
    expect(second).to.include({ polled: true, suggested: 0, error: null });
    expect(suggestionsIn((await secretary.get('/')).text).map((s) => s.title)).to.deep.equal([
      'Høring over vejledning om beskæftigelsesindsatsen for nyankomne flygtninge',
    ]);
  });

  it('marks a mailed consultation in the queue until the secretary confirms its deadline on the page, refusing a bad date beside the field; an unreadable mail is listed and can be fetched', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const other = await makeCouncilWithPeople(db);
    const web = await adminSession();
    const { csrf } = await intakePage(web, people.council.id);
    const user = `raad-${unique()}`;
    await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: String(imap.port),
      username: user,
      password: imap.password,
      folder: 'INBOX',
      afterProcessing: 'move',
      processedFolder: 'Behandlet',
      enabled: 'on',
    });
    const client = await imap.client(user, imap.password);
    await client.append('INBOX', await outlookForward({ subject: `Høring om boligplacering ${unique()}` }));
    await client.append('INBOX', await directMailWithoutDeadline());
    await client.append('INBOX', unreadableMail());
    await client.logout();
    expect(await pollMailbox(app.deps, people.council.id)).to.include({ ingested: 2, failed: 1 });

    const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
    const queue = await secretary.get('/');
    expect(queue.text.match(/Frist ikke bekræftet/g)).to.have.length(2);
    expect(queue.text).to.include('Mails, der ikke kunne læses');
    const failedId = /href="\/intake-mails\/(\d+)\/source"/.exec(queue.text)![1]!;
    const source = await secretary.get(`/intake-mails/${failedId}/source`);
    expect(source.status).to.equal(200);
    expect(source.headers.get('content-type')).to.match(/^message\/rfc822/);
    expect(source.headers.get('content-disposition')).to.include('attachment');
    const strangerSession = await WebSession.loggedIn(app.baseUrl, other.secretary);
    expect((await strangerSession.get(`/intake-mails/${failedId}/source`)).status).to.equal(404);
    expect((await strangerSession.get('/')).text).to.not.include('Mails, der ikke kunne læses');

    const mails = await listSeenMails(db, people.council.id);
    const forwarded = mails.find((m) => m.status === 'ingested' && m.subject?.includes('boligplacering'))!;
    const path = `/consultations/${forwarded.consultation_id}`;
    const page = await secretary.get(path);
    expect(page.text).to.include('Modtaget som mail');
    expect(page.text).to.include('Høringsfristen er fredag den 15. januar 2027 kl. 12.00.');
    expect(page.text).to.include('value="2027-01-15T12:00"');
    // A member reads where it came from but may not confirm.
    const member = await WebSession.loggedIn(app.baseUrl, people.member);
    const memberPage = await member.get(path);
    expect(memberPage.text).to.include('Modtaget som mail');
    expect(memberPage.text).to.not.include('id="formular-intake"');
    const row = await findConsultationRow(db, forwarded.consultation_id!);

    const refused = await secretary.postForm(`${path}/intake`, {
      _csrf: WebSession.csrfToken(page.text),
      version: String(row!.version),
      deadline: '15-01-2027',
    });
    expect(refused.status).to.equal(303);
    expect(refused.headers.get('location')).to.include('#formular-intake');
    const shownAgain = await secretary.follow(refused);
    expect(shownAgain.text).to.include('Fristen er ikke bekræftet');
    expect(shownAgain.text).to.include('aria-invalid="true"');
    expect(shownAgain.text).to.include('15-01-2027');

    const confirmed = await secretary.postForm(`${path}/intake`, {
      _csrf: WebSession.csrfToken(shownAgain.text),
      version: String(row!.version),
      deadline: '2027-01-18T12:00',
    });
    expect(confirmed.status).to.equal(303);
    const done = await secretary.follow(confirmed);
    expect(done.text).to.include('Høringsfristen er bekræftet');
    expect(done.text).to.include('Fristen blev bekræftet');
    expect(done.text).to.not.include('id="formular-intake"');
    const after = await findConsultationRow(db, row!.id);
    expect(after!.deadline.toISOString()).to.equal('2027-01-18T11:00:00.000Z');
    expect((await secretary.get('/')).text.match(/Frist ikke bekræftet/g)).to.have.length(1);
  });

  it("the intake job of the app's workers (pg-boss) polls the switched-on mailboxes and feeds", async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const web = await adminSession();
    const { csrf } = await intakePage(web, people.council.id);
    const user = `raad-${unique()}`;
    await web.postForm(`/admin/councils/${people.council.id}/intake/mailbox`, {
      _csrf: csrf,
      host: imap.host,
      port: String(imap.port),
      username: user,
      password: imap.password,
      afterProcessing: 'flag',
      enabled: 'on',
    });
    await web.postForm(`/admin/councils/${people.council.id}/intake/feed`, { _csrf: csrf, url: feedUrl, keywords: 'bundgarn', enabled: 'on' });
    const client = await imap.client(user, imap.password);
    await client.append('INBOX', await outlookForward({ subject: `Høring om sprogcentre ${unique()}` }));
    await client.logout();

    // No mail is sent here; the SMTP address is never dialled.
    const scheduler = await startTestScheduler({ smtpUrl: 'smtp://127.0.0.1:9', clock: () => new Date() });
    try {
      await scheduler.jobs.boss.send(QUEUES.intake, {});
      await waitUntil(async () => (await listSeenMails(db, people.council.id)).some((m) => m.status === 'ingested'), 60_000, 'the mail taken in');
      const secretary = await WebSession.loggedIn(app.baseUrl, people.secretary);
      await waitUntil(async () => (await secretary.get('/')).text.includes('fiskeri med bundgarn'), 60_000, 'the hearing suggested');
    } finally {
      await scheduler.stop();
    }
  });
});
