import { expect } from 'chai';
import { sql } from 'kysely';
import { listOptedOutCouncilIds } from '../../src/db/repositories/reminders.ts';
import { addMember } from '../../src/domain/users/service.ts';
import { runReminders } from '../../src/domain/reminders/service.ts';
import { unsubscribeToken } from '../../src/domain/reminders/unsubscribe.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { workflowDeps } from '../support/fakes.ts';
import { makeConsultation, makeCouncilWithPeople, TEST_SESSION_SECRET } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type ReceivedMail, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { parseMail } from '../support/mail-check.ts';
import { WebSession } from '../support/web-session.ts';

/** Mail and reminder jobs pg-boss has not finished: once none is left, the inbox is final. */
async function unfinishedMailJobs(): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from pgboss.job where name in (${sql.join([QUEUES.reminders, QUEUES.mail])}) and state in ('created', 'retry', 'active')`.execute(
    testDatabase().db,
  );
  return result.rows[0]!.n;
}

describe('one-click unsubscribe from reminders (RFC 8058)', function () {
  // Mail goes through pg-boss workers and a real SMTP server: generous on a busy machine.
  this.timeout(300_000);
  let smtp: TestSmtp;
  let scheduler: TestScheduler;
  let app: TestApp;
  let now = new Date('2026-12-01T08:00:00Z');

  before(async () => {
    smtp = await startSmtp();
    scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: () => now });
    app = await startTestApp({ deps: { jobs: scheduler.jobs } });
  });
  after(async () => {
    await app?.close();
    await scheduler?.stop();
    await smtp?.close();
  });

  /** Runs the reminder job at `iso` and waits until every mail it queued is in the inbox. */
  async function remindAt(iso: string): Promise<void> {
    now = new Date(iso);
    await runReminders(scheduler.deps);
    await waitUntil(async () => (await unfinishedMailJobs()) === 0, 120_000, 'every reminder mail delivered');
  }

  /** The consultation ids the reminders in `mails` are about. */
  const about = (mails: ReceivedMail[]) => mails.map((m) => /\/consultations\/([0-9a-f-]{36})/.exec(m.raw)?.[1]);

  it('the POST switches that council off for that user only, GET changes nothing, forged tokens are refused alike, and the profile switches it on again', async () => {
    const db = testDatabase().db;
    const a = await makeCouncilWithPeople(db);
    const b = await makeCouncilWithPeople(db);
    // A's chair chairs B too: unsubscribing from A must leave B's reminders alone.
    await addMember(db, { email: a.chair.email, council: b.council.slug, role: 'chair' });
    const registered = workflowDeps(db, () => new Date('2026-11-23T08:00:00Z'));
    const inA = await makeConsultation(registered, a.secretary.actor, { council: a.council.slug, deadline: '2026-12-15T12:00' });
    const inB = await makeConsultation(registered, b.secretary.actor, { council: b.council.slug, deadline: '2026-12-15T12:00' });
    const toChair = () => smtp.received.filter((m) => m.to.includes(a.chair.email));
    const toSecretary = () => smtp.received.filter((m) => m.to.includes(a.secretary.email));

    // 10 working days before: the chair gets one reminder from each council.
    await remindAt('2026-12-01T08:00:00Z');
    expect(about(toChair())).to.have.members([inA.id, inB.id]);
    const fromA = toChair().find((m) => m.raw.includes(`/consultations/${inA.id}`))!;
    const header = (await parseMail(fromA.bytes)).headers['List-Unsubscribe'][0]!.value;
    const link = new URL(/^<([^>]+)>$/.exec(header)![1]!);
    expect(link.pathname).to.match(/^\/reminders\/unsubscribe\/[^/]+$/);

    // GET (a link scanner, or the person) shows a Danish page with a button and changes nothing.
    const visitor = new WebSession(app.baseUrl);
    const page = await visitor.get(link.pathname);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<html lang="da"').and.include(`Stop påmindelser fra ${a.council.name}`);
    expect(page.text).to.match(new RegExp(`<form method="post" action="${link.pathname}"`));
    expect(page.headers.get('cache-control')).to.equal('no-store');
    expect(await listOptedOutCouncilIds(db, a.chair.actor.userId)).to.deep.equal([]);

    // Forged or mangled tokens: the same 404 and the same page, whether or not the user exists.
    const [userId, councilId] = link.pathname.split('/').at(-1)!.split('-').map(Number) as [number, number];
    const forgeries = [
      unsubscribeToken('some-other-secret-some-other-secret-0000', userId, councilId),
      unsubscribeToken(TEST_SESSION_SECRET, userId, b.council.id).replace(`-${b.council.id}-`, `-${councilId}-`),
      unsubscribeToken(TEST_SESSION_SECRET, userId, councilId).slice(0, -2),
      unsubscribeToken('some-other-secret-some-other-secret-0000', 2_000_000_000, councilId),
      'ikke-et-token',
    ];
    const refusals = [];
    for (const token of forgeries) {
      const answer = await fetch(`${app.baseUrl}/reminders/unsubscribe/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      refusals.push({ status: answer.status, body: (await answer.text()).replace(/[0-9a-f-]{36}/g, '') });
    }
    expect(refusals.map((r) => r.status)).to.deep.equal([404, 404, 404, 404, 404]);
    expect(new Set(refusals.map((r) => r.body)).size, 'one answer for every forgery').to.equal(1);
    expect(refusals[0]!.body).to.include('Linket til at stoppe påmindelser virker ikke');
    expect(await listOptedOutCouncilIds(db, a.chair.actor.userId)).to.deep.equal([]);

    // The one-click POST as a mail client sends it: no cookie, no CSRF token.
    const oneClick = await fetch(link.href.replace(link.origin, app.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).to.equal(200);
    expect(await oneClick.text()).to.include(`Du får ikke længere påmindelser på e-mail fra ${a.council.name}`);
    expect(await listOptedOutCouncilIds(db, a.chair.actor.userId)).to.deep.equal([a.council.id]);
    expect((await visitor.get(link.pathname)).text, 'the page says so afterwards').to.include('er allerede slået fra');

    // 3 working days before: nothing to the chair from A, B's reminder still comes, and A's secretary still gets A's.
    const [chairBefore, secretaryBefore] = [toChair().length, toSecretary().length];
    await remindAt('2026-12-10T08:00:00Z');
    expect(about(toChair().slice(chairBefore))).to.deep.equal([inB.id]);
    expect(about(toSecretary().slice(secretaryBefore))).to.deep.equal([inA.id]);

    // The profile shows A switched off and switches it on again; the deadline-day reminder from A comes.
    const chair = new WebSession(app.baseUrl);
    expect((await chair.logIn(a.chair.email, a.chair.password)).status).to.equal(303);
    const profile = await chair.get('/profile');
    const checkbox = (html: string, slug: string) => new RegExp(`<input[^>]*id="remind-${slug}"[^>]*>`).exec(html)![0];
    expect(checkbox(profile.text, a.council.slug), 'A is off').to.not.include('checked');
    expect(checkbox(profile.text, b.council.slug), 'B is on').to.include('checked');
    const saved = await chair.request('/profile/reminders', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['_csrf', WebSession.csrfToken(profile.text)],
        ['remind', a.council.slug],
        ['remind', b.council.slug],
      ]).toString(),
    });
    expect(saved.status).to.equal(303);
    expect(await listOptedOutCouncilIds(db, a.chair.actor.userId)).to.deep.equal([]);
    const chairBeforeDay = toChair().length;
    await remindAt('2026-12-15T07:00:00Z');
    expect(about(toChair().slice(chairBeforeDay))).to.have.members([inA.id, inB.id]);
  });
});
