import { purgeExpiredPendingSubscriptions } from '../../db/repositories/subscriptions.ts';
import { runPublicationAnnouncements } from '../publication/announcements.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import { deliverSubmissionMail, type SubmissionMailJob } from '../mail/submission.ts';
import { runReminders, sendReminderMail, type ReminderMailJob } from '../reminders/service.ts';
import { runTermReminders } from '../councils/term-reminders.ts';
import { purgeExpiredSessions } from '../auth/sessions.ts';
import { mailResetLink, type PasswordResetJob } from '../auth/password-reset.ts';
import type { Clock } from '../time.ts';
import { runAgendaMailing, sendAgendaMail, type AgendaMailJob } from '../meetings/agenda-output.ts';
import type { PdfRenderer } from '../pdf/renderer.ts';
import type { JobHandlers, Jobs } from './jobs.ts';
import { extractStoredDocument, sweepPendingDocuments, type DocumentTextJob } from '../consultations/document-text.ts';
import { closeWrittenProcedure } from '../written-procedure/service.ts';
import type { WrittenProcedureJob } from '../written-procedure/jobs.ts';
import { sendProcedureReminders, sendProcedureStartMails } from '../written-procedure/mail.ts';
import { pollAllMailboxes } from '../intake/mail-intake.ts';
import { pollAllFeedWatches, type FeedFetcher } from '../intake/feed-watch.ts';
import type { MailboxConnector } from '../intake/mailbox.ts';

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  config: Pick<Config, 'publicUrl' | 'port' | 'sessionSecret'>;
  jobs: Jobs;
  /** The PDF renderer, for the agenda attached to its mail. */
  pdf: PdfRenderer;
  /** The intake mailboxes and watched feeds. */
  mailboxes: MailboxConnector;
  feeds: FeedFetcher;
}

/**
 * What each queue's jobs do: the reminder job, the session purge, plain mails, password-reset
 * requests and submission mails. A handler that throws has its job tried again with the queue's
 * retry settings.
 */
export function jobHandlers(deps: WorkerDeps): JobHandlers {
  return {
    reminders: async () => {
      const queued = await runReminders(deps);
      if (queued > 0) deps.logger.info({ queued }, 'reminders queued');
      // The same job tells secretaries and admins when a council's terms end within 30 days.
      const termMails = await runTermReminders(deps);
      if (termMails > 0) deps.logger.info({ queued: termMails }, 'term-ending mails queued');
      // And tells the public pages' subscribers what their councils published.
      const announced = await runPublicationAnnouncements(deps);
      if (announced > 0) deps.logger.info({ queued: announced }, 'publication mails queued');
    },
    mail: async (job: ReminderMailJob) => {
      await sendReminderMail(deps, job);
    },
    'password-reset': (job: PasswordResetJob) => mailResetLink(deps, job.email),
    'session-purge': async () => {
      const removed = await purgeExpiredSessions(deps.db);
      if (removed > 0) deps.logger.info({ removed }, 'expired sessions removed');
      // Subscriptions never confirmed are forgotten when their link expires.
      const pending = await purgeExpiredPendingSubscriptions(deps.db, deps.clock());
      if (pending > 0) deps.logger.info({ removed: pending }, 'unconfirmed subscriptions removed');
    },
    'submission-mail': (job: SubmissionMailJob, attempt) => deliverSubmissionMail(deps, job, attempt),
    agendas: async () => {
      const queued = await runAgendaMailing(deps);
      if (queued.agendas + queued.changeNotes > 0) deps.logger.info(queued, 'agenda mails queued');
    },
    'agenda-mail': async (job: AgendaMailJob) => {
      await sendAgendaMail(deps, job);
    },
    'written-procedure-close': async (job: WrittenProcedureJob) => {
      const result = await closeWrittenProcedure(deps, job);
      if (result.closed) deps.logger.info({ ...job, outcome: result.outcome }, 'written procedure closed');
    },
    'written-procedure-started': async (job: WrittenProcedureJob) => void (await sendProcedureStartMails(deps, job)),
    'written-procedure-reminder': async (job: WrittenProcedureJob) => void (await sendProcedureReminders(deps, job)),
    'document-text': async (job: DocumentTextJob) => void (await extractStoredDocument(deps, job.documentId)),
    'document-text-sweep': async () => void (await sweepPendingDocuments(deps)),
    intake: async () => {
      for (const polled of await pollAllMailboxes(deps)) {
        if (polled.ingested + polled.failed + polled.duplicates > 0) deps.logger.info(polled, 'intake mailbox polled');
      }
      for (const polled of await pollAllFeedWatches(deps)) {
        if (polled.suggested > 0) deps.logger.info(polled, 'feed watch polled');
      }
    },
  };
}
