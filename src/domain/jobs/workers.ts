import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import { deliverSubmissionMail, type SubmissionMailJob } from '../mail/submission.ts';
import { runReminders, sendReminderMail, type ReminderMailJob } from '../reminders/service.ts';
import { purgeExpiredSessions } from '../auth/sessions.ts';
import { mailResetLink, type PasswordResetJob } from '../auth/password-reset.ts';
import type { Clock } from '../time.ts';
import { QUEUES, type Jobs } from './boss.ts';

/** Concurrent mail workers per process; each polls on its own. */
const MAIL_WORKERS = 4;

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  config: Pick<Config, 'publicUrl' | 'port'>;
  jobs: Jobs;
}

/**
 * Starts this process's workers: the reminder job, the session purge, plain mails, password-reset
 * requests and submission mails. A handler
 * that throws makes pg-boss retry the job with the queue's retry settings.
 */
export async function startWorkers(deps: WorkerDeps): Promise<void> {
  const { boss } = deps.jobs;
  const polling = { pollingIntervalSeconds: deps.jobs.settings.pollingIntervalSeconds };
  await boss.work(QUEUES.reminders, polling, async () => {
    const queued = await runReminders(deps);
    if (queued > 0) deps.logger.info({ queued }, 'reminders queued');
  });
  // Several workers, one job each: a batch would succeed or fail as a whole, resending good mails.
  for (let i = 0; i < MAIL_WORKERS; i += 1) {
    await boss.work<ReminderMailJob>(QUEUES.mail, polling, async ([job]) => {
      if (job) await sendReminderMail(deps, job.data);
    });
  }
  await boss.work<PasswordResetJob>(QUEUES.passwordReset, polling, async ([job]) => {
    if (job) await mailResetLink(deps, job.data.email);
  });
  await boss.work(QUEUES.sessionPurge, polling, async () => {
    const removed = await purgeExpiredSessions(deps.db);
    if (removed > 0) deps.logger.info({ removed }, 'expired sessions removed');
  });
  await boss.work<SubmissionMailJob>(QUEUES.submissionMail, { ...polling, includeMetadata: true }, async ([job]) => {
    if (job) await deliverSubmissionMail(deps, job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit });
  });
}
