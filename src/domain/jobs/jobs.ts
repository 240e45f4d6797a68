import type { Executor } from '../../db/database.ts';

/**
 * Background jobs as the domain sees them: a named queue, a payload, and a handler per queue.
 * Which library runs them (pg-boss, src/adapters/pg-boss-jobs.ts) is the adapter's business.
 */

/** The queues Rådssvar uses. */
export const QUEUES = {
  /** Cron: find due reminders and queue one mail for each (exactly once per reminder), and the mails 30 days before a council's terms end. */
  reminders: 'reminders',
  /** One plain mail (a reminder or a reset link), retried until it is delivered. */
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
  /** Cron: mail the agendas that are due, and the change notes of agendas changed since (exactly once each). */
  agendas: 'agendas',
  /** One agenda mail (or change note) to one recipient, with the agenda PDF; retried until delivered. */
  agendaMail: 'agenda-mail',
  /**
   * Closes one written procedure at its closing time. Queued when it starts; the handler locks the
   * consultation and closes only a procedure still running, so a second run (or a second process)
   * changes nothing.
   */
  writtenProcedureClose: 'written-procedure-close',
  /** A written procedure started: mail each voter the draft and their vote link (exactly once each). */
  writtenProcedureStarted: 'written-procedure-started',
  /** One working day before a written procedure closes: remind the voters who have not voted (exactly once each). */
  writtenProcedureReminder: 'written-procedure-reminder',
  /** Reads the text of one stored document (queued in the transaction that stores it) for search. */
  documentText: 'document-text',
  /** Cron: reads the text of documents still waiting for it (stored before, or a job lost), a batch per run. */
  documentTextSweep: 'document-text-sweep',
  /** Cron: polls the councils' intake mailboxes and their watches of Høringsportalen's feed. */
  intake: 'intake',
} as const;

/** One of {@link QUEUES}. */
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Where a job is in its tries; the last try may record the failure before it throws. */
export interface Attempt {
  retryCount: number;
  retryLimit: number;
}

/** Runs one job; throwing makes the job be tried again with the queue's retry settings. */
export type JobHandler = (data: never, attempt: Attempt) => Promise<void>;

/** What each queue's jobs do. */
export type JobHandlers = Record<QueueName, JobHandler>;

/** Queues background work. */
export interface Jobs {
  /**
   * Queues one job on `queue`, tried again with the queue's retry settings until it succeeds or
   * runs out of tries. With `tx` the job is written in that transaction, so it exists exactly when
   * the transaction's other rows do; with `startAfter` it runs no earlier than that. Returns the job's id (null when a singleton queue refused it).
   */
  enqueue(queue: QueueName, data: object, options?: { tx?: Executor; startAfter?: Date }): Promise<string | null>;
}
