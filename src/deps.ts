import type pg from 'pg';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { AfterSubmit } from './domain/archive/service.ts';
import { LoginThrottle } from './domain/auth/throttle.ts';
import { PdfRenderer } from './domain/pdf/renderer.ts';
import { systemClock, type Clock } from './domain/time.ts';
import type { Jobs } from './domain/jobs/boss.ts';
import type { Mailer } from './domain/mail/mailer.ts';
import type { Logger } from './logger.ts';

/** Everything a request handler or service may need, built once at boot. */
export interface AppDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  logger: Logger;
  clock: Clock;
  throttle: LoginThrottle;
  /** One Chromium for the whole process (started on the first render); closed on shutdown. */
  pdf: PdfRenderer;
  /**
   * Runs once after each committed submission with its archived letter (e.g. to queue the e-mail
   * of the letter when the channel is `email`). Unset: nothing follows a submission.
   */
  afterSubmit?: AfterSubmit;
  /** Outgoing mail; absent in tests that send none. */
  mailer?: Mailer;
  /** pg-boss (reminders, mail retries); absent in tests that run no jobs. */
  jobs?: Jobs;
}

/**
 * The dependencies every app process has over an open database: the system clock, login
 * throttling in PostgreSQL and one PDF renderer (Chromium starts on its first render). Mail, jobs
 * and follow-ups are added by whoever runs them.
 */
export function createAppDeps(config: Config, database: { db: Db; pool: pg.Pool }, logger: Logger): AppDeps {
  return {
    config,
    db: database.db,
    pool: database.pool,
    logger,
    clock: systemClock,
    throttle: new LoginThrottle(database.pool),
    pdf: new PdfRenderer({ chromiumPath: config.chromiumPath }),
  };
}
