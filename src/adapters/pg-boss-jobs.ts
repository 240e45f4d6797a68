import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Executor } from '../db/database.ts';
import { QUEUES, type JobHandlers, type Jobs, type QueueName } from '../domain/jobs/jobs.ts';
import { ZONE } from '../domain/time.ts';
import type { Logger } from '../logger.ts';

/**
 * Background jobs on pg-boss: jobs and cron schedules live in PostgreSQL (schema `pgboss` of the
 * app's own database), so any number of app processes share the work and each job runs once.
 */

/** The cron queues: one run at a time, no retries (the next run comes soon enough). */
const CRON_QUEUES: ReadonlySet<string> = new Set([QUEUES.reminders, QUEUES.sessionPurge, QUEUES.agendas, QUEUES.documentTextSweep, QUEUES.intake]);

/** How often the reminder job runs: every 15 minutes, Danish time. */
export const REMINDER_CRON = '*/15 * * * *';
/** How often expired sessions are removed. */
export const SESSION_PURGE_CRON = '7,22,37,52 * * * *';
/** How often the agenda job looks for agendas to mail and changes to tell of: every 15 minutes. */
export const AGENDA_CRON = '3,18,33,48 * * * *';
/** How often documents still waiting for their text are looked for: every 10 minutes. */
export const DOCUMENT_TEXT_SWEEP_CRON = '5,15,25,35,45,55 * * * *';
/** How often the intake mailboxes and feed watches are polled: every 5 minutes. */
export const INTAKE_CRON = '1-59/5 * * * *';

/** Workers per queue in each process, each polling on its own (one when not named). */
const WORKERS: Partial<Record<QueueName, number>> = {
  // Several workers, one job each: a batch would succeed or fail as a whole, resending good mails.
  [QUEUES.mail]: 4,
};

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

/** A started pg-boss with Rådssvar's queues created: the app's {@link Jobs}. */
export interface PgBossJobs extends Jobs {
  boss: PgBoss;
  settings: JobSettings;
  /** Starts this process's workers, one handler per queue. */
  work(handlers: JobHandlers): Promise<void>;
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
function executorAdapter(db: Executor): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as never[] };
    },
  };
}

/** PostgreSQL's deadlock_detected. */
const DEADLOCK_DETECTED = '40P01';

/**
 * Creates a queue unless it exists. Two processes that start at the same moment (a deploy that
 * adds a queue, several app processes on one database) can deadlock creating the same new queue;
 * PostgreSQL then aborts one of them, whose next try finds the queue made.
 */
async function createQueueOnce(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= 5) throw error;
    }
  }
}

/**
 * Starts pg-boss over the app's pool (installing or migrating its schema on first start), creates
 * the queues and, when `settings.schedule`, the cron schedules (reminders, session purge). Workers
 * are added by {@link PgBossJobs.work}.
 */
export async function startPgBossJobs(pool: pg.Pool, logger: Logger, settings: Partial<JobSettings> = {}): Promise<PgBossJobs> {
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
    await createQueueOnce(boss, name, CRON_QUEUES.has(name) ? { name, policy: 'singleton' } : { name, ...retry });
  }
  if (resolved.schedule) {
    await boss.schedule(QUEUES.reminders, REMINDER_CRON, {}, { tz: ZONE });
    await boss.schedule(QUEUES.sessionPurge, SESSION_PURGE_CRON, {}, { tz: ZONE });
    await boss.schedule(QUEUES.agendas, AGENDA_CRON, {}, { tz: ZONE });
    await boss.schedule(QUEUES.documentTextSweep, DOCUMENT_TEXT_SWEEP_CRON, {}, { tz: ZONE });
    await boss.schedule(QUEUES.intake, INTAKE_CRON, {}, { tz: ZONE });
  }
  const polling = { pollingIntervalSeconds: resolved.pollingIntervalSeconds, includeMetadata: true as const };
  return {
    boss,
    settings: resolved,
    // The queue's retry settings on every job too: a job must not be lost to a queue made earlier with others.
    enqueue: (queue, data, options = {}) =>
      boss.send(queue, data, {
        ...retry,
        ...(options.tx ? { db: executorAdapter(options.tx) } : {}),
        ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      }),
    async work(handlers) {
      for (const queue of Object.values(QUEUES)) {
        const handler = handlers[queue];
        for (let i = 0; i < (WORKERS[queue] ?? 1); i += 1) {
          await boss.work<object>(queue, polling, async ([job]) => {
            if (job) await handler(job.data as never, { retryCount: job.retryCount, retryLimit: job.retryLimit });
          });
        }
      }
    },
    stop: (graceMs = DEFAULT_STOP_GRACE_MS) => boss.stop({ graceful: true, timeout: graceMs, wait: true }),
  };
}
