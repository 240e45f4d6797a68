import { imapMailboxConnector } from '../../src/adapters/imap-mailbox.ts';
import { httpFeedFetcher } from '../../src/adapters/http-feed.ts';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../src/db/database.ts';
import { startPgBossJobs, type JobSettings, type PgBossJobs } from '../../src/adapters/pg-boss-jobs.ts';
import { createMailer } from '../../src/adapters/smtp-mailer.ts';
import { jobHandlers } from '../../src/domain/jobs/workers.ts';
import type { Mailer } from '../../src/domain/mail/mailer.ts';
import type { PdfRenderer } from '../../src/domain/pdf/renderer.ts';
import { fakePdfRenderer } from './fakes.ts';
import type { Clock } from '../../src/domain/time.ts';
import { createLogger } from '../../src/logger.ts';
import { testDatabase } from './db.ts';
import { TEST_SESSION_SECRET } from './factories.ts';

/** A mail as the test SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message with quoted-printable soft line breaks joined, so text can be searched. */
  raw: string;
  /** The message exactly as it came over SMTP, for a real parser (test/support/mail-parse.ts). */
  bytes: Buffer;
}

/** A real SMTP server in the test process, collecting what it receives. */
export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 (port 0 = any free port), as the mailer's real peer. */
export async function startSmtp(port = 0, received: ReceivedMail[] = []): Promise<TestSmtp> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const bytes = Buffer.concat(chunks);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: bytes.toString('utf8').replace(/=\r?\n/g, ''),
          bytes,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Fast settings for tests: short polling, quick retries without backoff, no cron schedule. */
export const TEST_JOB_SETTINGS: Partial<JobSettings> = {
  pollingIntervalSeconds: 0.5,
  retryLimit: 4,
  retryDelaySeconds: 1,
  retryBackoff: false,
  schedule: false,
};

/** pg-boss with the app's workers over the test database, as one app process would run it. */
export interface TestScheduler {
  db: Db;
  jobs: PgBossJobs;
  mailer: Mailer;
  deps: { db: Db; clock: Clock; jobs: PgBossJobs; config: { publicUrl: string; port: number; sessionSecret: string } };
  stop(): Promise<void>;
}

/** Starts one "app process" worth of jobs and workers, mailing through `smtpUrl`. */
export async function startTestScheduler(options: {
  smtpUrl: string;
  clock: Clock;
  settings?: Partial<JobSettings>;
  /** The renderer of the PDFs mails carry (the agenda); by default a fake that starts no Chromium. */
  pdf?: PdfRenderer;
}): Promise<TestScheduler> {
  const { db, pool } = testDatabase();
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const mailer = createMailer({ smtpUrl: options.smtpUrl, mailFrom: 'Rådssvar <noreply@raadssvar.test>', dataDir: 'data/test-mail' });
  const jobs = await startPgBossJobs(pool, logger, { ...TEST_JOB_SETTINGS, ...options.settings });
  // The app's secret (test/support/app.ts), so the links a worker mails work in a test app.
  const config = { publicUrl: 'http://raadssvar.test', port: 3000, sessionSecret: TEST_SESSION_SECRET };
  const intake = { mailboxes: imapMailboxConnector(), feeds: httpFeedFetcher() };
  await jobs.work(jobHandlers({ db, clock: options.clock, logger, mailer, config, jobs, pdf: options.pdf ?? fakePdfRenderer(), ...intake }));
  return {
    db,
    jobs,
    mailer,
    deps: { db, clock: options.clock, jobs, config },
    stop: async () => {
      await jobs.stop();
      mailer.close();
    },
  };
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What {@link useMailSuite} gives the tests of a suite. */
export interface MailSuite {
  /** This test's SMTP server (a new one each test). */
  smtp: () => TestSmtp;
  /** Schedulers a test starts go here, to be stopped after it. */
  schedulers: TestScheduler[];
  /** The mails received so far to any of `emails`. */
  mailsTo: (emails: string[]) => ReceivedMail[];
}

/**
 * A real SMTP server for each test of the enclosing suite, and the schedulers a test starts
 * stopped after it (before the server closes, so no worker mails into a closed server).
 */
export function useMailSuite(): MailSuite {
  let smtp: TestSmtp | undefined;
  const suite: MailSuite = {
    smtp: () => smtp!,
    schedulers: [],
    mailsTo: (emails) => smtp!.received.filter((m) => m.to.some((to) => emails.includes(to))),
  };
  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await Promise.all(suite.schedulers.splice(0).map((s) => s.stop()));
    await smtp?.close();
  });
  return suite;
}
