import { expect } from 'chai';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { getConsultation, sendEvent } from '../../src/domain/consultations/service.ts';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import { createMailer } from '../../src/adapters/smtp-mailer.ts';
import { enqueueSubmissionMail } from '../../src/domain/mail/submission.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { systemClock } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { workflowDeps } from '../support/fakes.ts';
import { makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil } from '../support/mail.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';

describe('submission by e-mail', function () {
  // Mail goes through pg-boss workers and a real SMTP server (or many HTTP round trips): generous on a busy machine.
  this.timeout(300_000);
  let db: ReturnType<typeof testDatabase>['db'];
  const cleanup: (() => void | Promise<void>)[] = [];
  before(() => {
    db = testDatabase().db;
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A consultation submitted by e-mail and archived (a blank letter); its mail job is only recorded, so each test queues its own. */
  async function submittedWithArchive(authorityEmail: string) {
    const people = await makeCouncilWithPeople(db);
    const c = await makeConsultationInState(workflowDeps(db, systemClock), people, 'submitted', { authorityEmail });
    return { people, c };
  }

  const timelineTypes = async (id: string, actor: Parameters<typeof getConsultation>[1]) =>
    (await getConsultation({ db, clock: systemClock }, actor, id)).timeline.map((e) => e.type);

  it('mails the archived PDF to the authority and records the delivery on the timeline', async () => {
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: systemClock });
    cleanup.push(() => scheduler.stop());
    const to = `udvalg-${unique()}@naestved.dk`;
    const { people, c } = await submittedWithArchive(to);

    await enqueueSubmissionMail(scheduler.deps, c.id);
    await waitUntil(async () => (await timelineTypes(c.id, people.secretary.actor)).includes('MAIL_DELIVERED'), 90_000, 'MAIL_DELIVERED');
    const mails = smtp.received.filter((m) => m.to.includes(to));
    expect(mails).to.have.length(1);
    expect(mails[0]!.raw).to.include('application/pdf');
    expect(mails[0]!.raw).to.include('Hoeringssvar-');
    const details = await getConsultation({ db, clock: systemClock }, people.secretary.actor, c.id);
    const delivered = details.timeline.find((e) => e.type === 'MAIL_DELIVERED')!;
    expect(delivered.payload.to).to.equal(to);
    expect(delivered.from).to.equal('submitted');
    expect(delivered.to).to.equal('submitted');
  });

  it('mails the address typed with the SUBMIT when the consultation has no authority e-mail', async () => {
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: systemClock });
    cleanup.push(() => scheduler.stop());
    const people = await makeCouncilWithPeople(db);
    // Without an authority e-mail the factory types the address udvalg@naestved.dk.
    const c = await makeConsultationInState(workflowDeps(db, systemClock), people, 'submitted');
    expect(c.authorityEmail).to.equal(null);

    await enqueueSubmissionMail(scheduler.deps, c.id);
    await waitUntil(async () => (await timelineTypes(c.id, people.secretary.actor)).includes('MAIL_DELIVERED'), 90_000, 'MAIL_DELIVERED');
    expect(smtp.received.filter((m) => m.to.includes('udvalg@naestved.dk'))).to.have.length(1);
  });

  it('a SUBMIT by e-mail through the service archives the letter and mails that PDF; other channels mail nothing', async () => {
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: systemClock });
    cleanup.push(() => scheduler.stop());
    const renderer = new ChromiumPdfRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH });
    cleanup.push(() => renderer.close());
    const deps = { ...workflowDeps(db, systemClock), pdf: renderer, jobs: scheduler.jobs };
    const people = await makeCouncilWithPeople(db);
    const byMail = `udvalg-${unique()}@naestved.dk`;
    const byLetter = `udvalg-${unique()}@naestved.dk`;
    const mailed = await makeConsultationInState(deps, people, 'approved', { authorityEmail: byMail });
    const posted = await makeConsultationInState(deps, people, 'approved', { authorityEmail: byLetter });

    await sendEvent(deps, people.secretary.actor, mailed.id, { type: 'SUBMIT', version: mailed.version, channel: 'email', recipient: byMail });
    await sendEvent(deps, people.secretary.actor, posted.id, { type: 'SUBMIT', version: posted.version, channel: 'letter' });
    await waitUntil(async () => (await timelineTypes(mailed.id, people.secretary.actor)).includes('MAIL_DELIVERED'), 90_000, 'MAIL_DELIVERED');

    const mails = smtp.received.filter((m) => m.to.includes(byMail));
    expect(mails).to.have.length(1);
    const archived = await db.selectFrom('archived_documents').select(['pdf']).where('consultation_id', '=', mailed.id).executeTakeFirstOrThrow();
    // The attachment is the archived letter itself, byte for byte (base64 in the raw message, folded at 76).
    const attachment = archived.pdf.toString('base64');
    expect(mails[0]!.raw.replace(/\r?\n/g, '')).to.include(attachment.slice(0, 2000));
    expect(smtp.received.filter((m) => m.to.includes(byLetter))).to.deep.equal([]);
    expect(await timelineTypes(posted.id, people.secretary.actor)).not.to.include('MAIL_DELIVERED');
  });

  it('retries while the SMTP server is down and delivers when it is back', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close(); // the server is down: connections to the port are refused
    const scheduler = await startTestScheduler({ smtpUrl: `smtp://127.0.0.1:${port}`, clock: systemClock, settings: { retryLimit: 20 } });
    cleanup.push(() => scheduler.stop());
    const to = `ministeriet-${unique()}@uim.dk`;
    const { people, c } = await submittedWithArchive(to);

    const jobId = (await enqueueSubmissionMail(scheduler.deps, c.id))!;
    await waitUntil(
      async () => ((await scheduler.jobs.boss.getJobById(QUEUES.submissionMail, jobId))?.retryCount ?? 0) >= 1,
      90_000,
      'a failed first try',
    );
    expect(await timelineTypes(c.id, people.secretary.actor)).to.not.include('MAIL_DELIVERED');

    const smtp = await startSmtp(port);
    cleanup.push(() => smtp.close());
    await waitUntil(() => smtp.received.some((m) => m.to.includes(to)), 90_000, 'the mail after the server is back');
    await waitUntil(async () => (await timelineTypes(c.id, people.secretary.actor)).includes('MAIL_DELIVERED'), 90_000, 'MAIL_DELIVERED');
    const types = await timelineTypes(c.id, people.secretary.actor);
    expect(types).to.not.include('MAIL_FAILED');
    expect(smtp.received.filter((m) => m.to.includes(to))).to.have.length(1);
  });

  it('records MAIL_FAILED on the timeline after the last try, and keeps the job', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const scheduler = await startTestScheduler({ smtpUrl: `smtp://127.0.0.1:${port}`, clock: systemClock, settings: { retryLimit: 1 } });
    cleanup.push(() => scheduler.stop());
    const { people, c } = await submittedWithArchive(`udvalg-${unique()}@naestved.dk`);

    const jobId = (await enqueueSubmissionMail(scheduler.deps, c.id))!;
    await waitUntil(async () => (await timelineTypes(c.id, people.secretary.actor)).includes('MAIL_FAILED'), 90_000, 'MAIL_FAILED');
    const details = await getConsultation({ db, clock: systemClock }, people.secretary.actor, c.id);
    const failed = details.timeline.filter((e) => e.type === 'MAIL_FAILED');
    expect(failed).to.have.length(1);
    expect(failed[0]!.payload.attempts).to.equal(2);
    expect(details.state).to.equal('submitted');
    await waitUntil(async () => (await scheduler.jobs.boss.getJobById(QUEUES.submissionMail, jobId))?.state === 'failed', 90_000, 'the failed job');
    // Nothing is lost: the failed job stays in pg-boss with its data, and can be retried.
    const job = await scheduler.jobs.boss.getJobById<{ consultationId: string }>(QUEUES.submissionMail, jobId);
    expect(job?.data.consultationId).to.equal(c.id);
  });

  it('without SMTP_URL writes each mail as an .eml file into DATA_DIR/mail', async () => {
    const dataDir = join(tmpdir(), `raadssvar-mail-${unique()}`);
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: 'Rådssvar <noreply@raadssvar.test>', dataDir });
    expect(mailer.description).to.include(join(dataDir, 'mail'));
    await mailer.send({ to: 'mette@naestved.dk', subject: 'Påmindelse: høringsfristen er i dag', text: 'Kære Mette', html: '<p>Kære Mette</p>' });
    const files = readdirSync(join(dataDir, 'mail'));
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/\.eml$/);
    const eml = readFileSync(join(dataDir, 'mail', files[0]!), 'utf8');
    expect(eml).to.include('To: mette@naestved.dk');
    expect(eml).to.include('Subject: =?UTF-8?');
  });
});
