import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Executor } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import { ZONE } from '../time.ts';

/**
 * Background jobs on pg-boss: jobs and cron schedules live in PostgreSQL (schema `pgboss` of the
 * app's own database), so any number of app processes share the work and each job runs once.
 */

/** The queues Rådssvar uses. */
export const QUEUES = {
  /** Cron: find due reminders and queue one mail for each (exactly once per reminder). */
  reminders: 'reminders',
  /** One plain mail (a reminder), retried until it is delivered. */
  mail: 'mail',
  /** The archived PDF of a response submitted by e-mail, to the authority. */
  submissionMail: 'submission-mail',
  /**
   * A request for a password-reset link, by e-mail: the worker looks the user up and queues the
   * mail, so the web request does the same work whether or not the e-mail is a user's.
   */
  passwordReset: 'password-reset',
  /** Cron: remove expired login sessions. */
  sessionPurge: 'session-purge',
} as const;

/** The cron queues: one run at a time, no retries (the next run comes soon enough). */
const CRON_QUEUES: ReadonlySet<string> = new Set([QUEUES.reminders, QUEUES.sessionPurge]);

/** How often the reminder job runs: every 15 minutes, Danish time. */
export const REMINDER_CRON = '*/15 * * * *';
/** How often expired sessions are removed. */
export const SESSION_PURGE_CRON = '7,22,37,52 * * * *';

export interface JobSettings {
  /** How often idle workers look for new jobs (pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds: number;
  /** Retries after the first try of a mail. */
  retryLimit: number;
  /** Seconds before the first retry; doubled on each retry when `retryBackoff`. */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** Whether this process installs the cron schedule (tests run the reminder job by hand). */
  schedule: boolean;
}

/** Production settings: a mail is tried for about a day (1, 2, 4 … 512 minutes apart). */
export const DEFAULT_JOB_SETTINGS: JobSettings = {
  pollingIntervalSeconds: 2,
  retryLimit: 10,
  retryDelaySeconds: 60,
  retryBackoff: true,
  schedule: true,
};

const DEFAULT_STOP_GRACE_MS = 5_000;

/** A started pg-boss with Rådssvar's queues created. */
export interface Jobs {
  boss: PgBoss;
  settings: JobSettings;
  /**
   * Takes no new jobs from now on and waits up to `graceMs` (at least 1 s, pg-boss's minimum) for
   * the running ones to finish; any still running then are marked failed, to be retried.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The pg-boss `db` adapter over a pg pool, so pg-boss shares the app's connections. */
function poolAdapter(pool: pg.Pool): PgBoss.Db {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/**
 * The pg-boss `db` adapter over a Kysely executor: a job sent with it is written in that
 * transaction, so it exists exactly when the transaction's other rows do.
 */
export function executorAdapter(db: Executor): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] as never[] };
    },
  };
}

/**
 * Starts pg-boss over the app's pool (installing or migrating its schema on first start), creates
 * the queues and, when `settings.schedule`, the cron schedules (reminders, session purge). Workers are added by
 * {@link import('./workers.ts').startWorkers}.
 */
export async function startJobs(pool: pg.Pool, logger: Logger, settings: Partial<JobSettings> = {}): Promise<Jobs> {
  const resolved: JobSettings = { ...DEFAULT_JOB_SETTINGS, ...settings };
  const boss = new PgBoss({
    db: poolAdapter(pool),
    schema: 'pgboss',
    schedule: resolved.schedule,
    supervise: true,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss'));
  await boss.start();
  const retry = {
    retryLimit: resolved.retryLimit,
    retryDelay: resolved.retryDelaySeconds,
    retryBackoff: resolved.retryBackoff,
  };
  for (const name of Object.values(QUEUES)) {
    // createQueue is a no-op when the queue exists; v10 refuses send/work on a queue that does not.
    await boss.createQueue(name, CRON_QUEUES.has(name) ? { name, policy: 'singleton' } : { name, ...retry });
  }
  if (resolved.schedule) {
    await boss.schedule(QUEUES.reminders, REMINDER_CRON, {}, { tz: ZONE });
    await boss.schedule(QUEUES.sessionPurge, SESSION_PURGE_CRON, {}, { tz: ZONE });
  }
  return {
    boss,
    settings: resolved,
    stop: (graceMs = DEFAULT_STOP_GRACE_MS) => boss.stop({ graceful: true, timeout: graceMs, wait: true }),
  };
}

/** Send options carrying the queue's retry settings, for jobs that must not be lost. */
export function retryOptions(jobs: Jobs): PgBoss.SendOptions {
  return {
    retryLimit: jobs.settings.retryLimit,
    retryDelay: jobs.settings.retryDelaySeconds,
    retryBackoff: jobs.settings.retryBackoff,
  };
}
