import { expect } from 'chai';
import { sql } from 'kysely';
import { listSentReminders, setOptOuts } from '../../src/db/repositories/reminders.ts';
import { runReminders, sendReminderMail } from '../../src/domain/reminders/service.ts';
import { getConsultation, sendEvent } from '../../src/domain/consultations/service.ts';
import { DateTime } from 'luxon';
import { workingDaysBetween } from '../../src/domain/deadlines/status.ts';
import { danishDate, ZONE } from '../../src/domain/time.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { testDatabase } from '../support/db.ts';
import { deadlineInDays, makeConsultation, makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type ReceivedMail, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { workflowDeps } from '../support/fakes.ts';

/** A clock tests move by hand. */
function movableClock(start: string) {
  let now = new Date(start);
  const clock = () => now;
  return { clock, set: (iso: string) => (now = new Date(iso)) };
}

/** Jobs of `queues` that pg-boss has not finished: queued, waiting for a retry, or running. */
async function unfinishedJobs(queues: string[]): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from pgboss.job where name in (${sql.join(queues)}) and state in ('created', 'retry', 'active')`.execute(
    testDatabase().db,
  );
  return result.rows[0]!.n;
}

function mailsTo(received: ReceivedMail[], emails: string[]): ReceivedMail[] {
  return received.filter((m) => m.to.some((to) => emails.includes(to)));
}

describe('reminders', function () {
  // Mail goes through pg-boss workers and a real SMTP server (or many HTTP round trips): generous on a busy machine.
  this.timeout(300_000);
  let db: ReturnType<typeof testDatabase>['db'];
  let smtp: TestSmtp;
  before(() => {
    db = testDatabase().db;
  });
  const schedulers: TestScheduler[] = [];

  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await smtp.close();
  });

  it('an injected clock walks a consultation through its 10, 3 and 0 working-day reminders, once each', async () => {
    const time = movableClock('2026-11-23T08:00:00Z');
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: time.clock });
    schedulers.push(scheduler);
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultation(workflowDeps(db, time.clock), people.secretary.actor, {
      council: people.council.slug,
      deadline: '2026-12-15T12:00', // a Tuesday
    });
    const ours = [people.secretary.email, people.chair.email];
    const step = async (iso: string) => {
      time.set(iso);
      await runReminders(scheduler.deps);
      const rows = await listSentReminders(db, c.id);
      return rows.map((r) => `${r.kind}:${r.threshold}`);
    };

    expect(await step('2026-11-23T08:00:00Z')).to.deep.equal([]); // 16 working days left
    expect(await step('2026-11-30T08:00:00Z')).to.deep.equal([]); // 11 working days left
    expect(await step('2026-12-01T08:00:00Z')).to.have.members(['deadline:10', 'deadline:10']);
    expect(await step('2026-12-01T14:00:00Z')).to.have.length(2); // the same day again: nothing new
    expect(await step('2026-12-09T08:00:00Z')).to.have.length(2); // 4 working days left
    expect(await step('2026-12-10T08:00:00Z')).to.have.length(4); // 3 working days left
    expect(await step('2026-12-15T07:00:00Z')).to.have.length(6); // the day itself
    expect(await step('2026-12-15T12:30:00Z')).to.have.length(6); // after the deadline: nothing

    await waitUntil(() => mailsTo(smtp.received, ours).length >= 6, 90_000, 'six reminder mails');
    const mails = mailsTo(smtp.received, ours);
    expect(mails).to.have.length(6);
    expect(mails.filter((m) => m.to.includes(people.chair.email))).to.have.length(3);
    expect(mails.every((m) => m.raw.includes(`/consultations/${c.id}`))).to.equal(true);
    expect(mails.some((m) => m.raw.includes('er i dag'))).to.equal(true);
  });

  it('never reminds about a closed consultation, and respects a per-council opt-out', async () => {
    const time = movableClock('2026-12-10T08:00:00Z');
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: time.clock });
    schedulers.push(scheduler);
    const people = await makeCouncilWithPeople(db);
    const deps = workflowDeps(db, time.clock);
    const open = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2026-12-15T12:00' });
    const closed = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug, deadline: '2026-12-15T12:00' });
    await sendEvent(deps, people.chair.actor, closed.id, { type: 'DECLINE', version: closed.version, reason: 'Ikke relevant for rådet' });
    await setOptOuts(db, people.chair.actor.userId, [people.council.id], [people.council.id]);

    await runReminders(scheduler.deps);
    expect(await listSentReminders(db, closed.id)).to.deep.equal([]);
    const sent = await listSentReminders(db, open.id);
    expect(sent.map((r) => r.user_id)).to.deep.equal([people.secretary.actor.userId]);

    // A reminder queued before the consultation closed is dropped when its (re)try comes.
    const mail = { to: people.secretary.email, subject: 'Påmindelse', text: 'Kære Mette', html: '<p>Kære Mette</p>' };
    expect(await sendReminderMail(scheduler, { ...mail, consultationId: closed.id })).to.equal('skipped');
    expect(await sendReminderMail(scheduler, { ...mail, consultationId: open.id })).to.equal('sent');
  });

  it('reminds the chair once when a response has waited for approval more than 2 working days', async () => {
    const time = movableClock(new Date().toISOString());
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: time.clock });
    schedulers.push(scheduler);
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(workflowDeps(db, time.clock), people, 'awaiting_approval', { deadline: deadlineInDays(90) });
    // The event log is stamped by the database clock, so the walk starts from the request's own date.
    const requested = danishDate((await getConsultation(workflowDeps(db, time.clock), people.chair.actor, c.id)).timeline.at(-1)!.at);
    const afterWorkingDays = (n: number) => {
      let day = DateTime.fromISO(requested, { zone: ZONE });
      while (workingDaysBetween(requested, day.toISODate()!) < n) day = day.plus({ days: 1 });
      return day.set({ hour: 9 }).toJSDate().toISOString();
    };
    const approvals = async () => (await listSentReminders(db, c.id)).filter((r) => r.kind === 'approval');

    time.set(afterWorkingDays(2));
    await runReminders(scheduler.deps);
    expect(await approvals()).to.deep.equal([]);
    time.set(afterWorkingDays(3));
    await runReminders(scheduler.deps);
    await runReminders(scheduler.deps);
    const sent = await approvals();
    expect(sent.map((r) => r.user_id)).to.deep.equal([people.chair.actor.userId]);
    await waitUntil(() => mailsTo(smtp.received, [people.chair.email]).some((m) => m.raw.includes('godkendelse')), 90_000, 'the approval mail');
  });

  it('two schedulers on one database send each reminder exactly once', async () => {
    const time = movableClock('2026-12-10T08:00:00Z');
    const a = await startTestScheduler({ smtpUrl: smtp.url, clock: time.clock });
    const b = await startTestScheduler({ smtpUrl: smtp.url, clock: time.clock });
    schedulers.push(a, b);
    const councils = await Promise.all([makeCouncilWithPeople(db), makeCouncilWithPeople(db)]);
    for (const people of councils) {
      for (let i = 0; i < 3; i += 1) {
        await makeConsultation(workflowDeps(db, time.clock), people.secretary.actor, { council: people.council.slug, deadline: '2026-12-15T12:00' });
      }
    }
    const ours = councils.flatMap((p) => [p.secretary.email, p.chair.email]);
    // Both processes run the job at once, by hand and through pg-boss's own queue.
    await Promise.all([
      runReminders(a.deps),
      runReminders(b.deps),
      runReminders(a.deps),
      runReminders(b.deps),
      a.jobs.boss.send(QUEUES.reminders, {}),
      b.jobs.boss.send(QUEUES.reminders, {}),
    ]);
    await waitUntil(() => mailsTo(smtp.received, ours).length >= 12, 90_000, 'twelve reminder mails');
    // The count is final once no reminder or mail job is queued, retrying or running: a mail is
    // delivered before its job completes, so a duplicate would already be in the inbox.
    await waitUntil(async () => (await unfinishedJobs([QUEUES.reminders, QUEUES.mail])) === 0, 90_000, 'every reminder and mail job done');
    const mails = mailsTo(smtp.received, ours);
    const keys = mails.map((m) => `${m.to.join(',')} ${/\/consultations\/([0-9a-f-]{36})/.exec(m.raw)?.[1]}`);
    expect(keys).to.have.length(12);
    expect(new Set(keys).size).to.equal(12);
  });
});
