import type { Db, Executor } from '../../db/database.ts';
import { archiveMailDelivered, latestArchivedDocument } from '../../db/repositories/archive-mail.ts';
import { findConsultationRow, insertEvent } from '../../db/repositories/consultations.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import type { Logger } from '../../logger.ts';
import { restoreSnapshot, type PersistedConsultation } from '../../../workflows/consultation.machine.ts';
import { AppError } from '../errors.ts';
import { emailSchema } from '../validation.ts';
import { QUEUES, type Attempt, type Jobs } from '../jobs/jobs.ts';
import type { Mailer } from './mailer.ts';
import { composeMail } from './templates.ts';

/**
 * The address a SUBMIT by e-mail is mailed to: the recipient typed with it, when that is an e-mail
 * address, else the consultation's authority e-mail; null when there is neither. The one rule the
 * SUBMIT (which refuses without an address) and the mail job both follow.
 */
export function submissionMailAddress(recipient: string | null | undefined, authorityEmail: string | null | undefined): string | null {
  const typed = emailSchema.safeParse(recipient ?? '');
  if (typed.success) return typed.data;
  return authorityEmail?.trim() || null;
}

const NO_ADDRESS_MESSAGE = 'Skriv modtagerens e-mailadresse: høringen har ingen e-mailadresse til myndigheden, så svaret kan ikke sendes som e-mail';

/**
 * Refuses a SUBMIT by e-mail that has no address to go to, before anything is rendered or written:
 * RECIPIENT_ADDRESS_MISSING (422) with its message on the `recipient` field.
 */
export function checkSubmissionMailAddress(event: { channel: string; recipient?: string | null }, authorityEmail: string | null): void {
  if (event.channel !== 'email' || submissionMailAddress(event.recipient, authorityEmail) !== null) return;
  throw new AppError('RECIPIENT_ADDRESS_MISSING', NO_ADDRESS_MESSAGE, { details: [{ path: 'recipient', message: NO_ADDRESS_MESSAGE }] });
}

/** The job's data: which consultation's archived response to mail. */
export interface SubmissionMailJob {
  consultationId: string;
}

/**
 * Queues the mail of a consultation's archived response to the authority (SUBMIT with channel
 * `email`). Call it after the SUBMIT commit, or inside the SUBMIT transaction by passing it as
 * `tx`, so the job exists exactly when the submission does. The job retries with the queue's
 * settings and records MAIL_DELIVERED or, after the last try, MAIL_FAILED on the timeline.
 */
export async function enqueueSubmissionMail(deps: { jobs: Jobs }, consultationId: string, options: { tx?: Executor } = {}): Promise<string | null> {
  const data: SubmissionMailJob = { consultationId };
  return deps.jobs.enqueue(QUEUES.submissionMail, data, options);
}

export interface SubmissionMailDeps {
  db: Db;
  mailer: Mailer;
  logger: Logger;
}

/**
 * One try at mailing the archived PDF. Throws on failure so pg-boss retries; on the last try it
 * first records MAIL_FAILED. Idempotent: an archive already recorded as delivered is not sent again
 * (a retry after a crash between the send and the timeline row is the one case of a second mail).
 */
export async function deliverSubmissionMail(deps: SubmissionMailDeps, job: SubmissionMailJob, attempt: Attempt): Promise<void> {
  const row = await findConsultationRow(deps.db, job.consultationId);
  if (!row) return;
  const record = (type: 'MAIL_DELIVERED' | 'MAIL_FAILED', payload: Record<string, unknown>) =>
    // The event log is append-only; a mail event changes no state, so from and to are the current one.
    insertEvent(deps.db, { consultationId: row.id, actorId: null, type, fromState: row.state, toState: row.state, payload });
  const lastTry = attempt.retryCount >= attempt.retryLimit;
  const submission = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version).context.submission;
  const to = submissionMailAddress(submission?.recipient, row.authority_email);
  if (!to) {
    // Only a submission from before the SUBMIT refused a missing address gets here.
    await record('MAIL_FAILED', { reason: 'Høringsmyndigheden har ingen e-mailadresse', attempts: attempt.retryCount + 1 });
    return;
  }
  const archive = await latestArchivedDocument(deps.db, row.id);
  if (!archive) {
    // The archive is written in the SUBMIT transaction; missing means something went wrong there.
    if (lastTry) await record('MAIL_FAILED', { to, reason: 'Intet arkiveret PDF-dokument', attempts: attempt.retryCount + 1 });
    throw new Error(`no archived document for consultation ${row.id}`);
  }
  if (await archiveMailDelivered(deps.db, row.id, archive.id)) return;
  const council = row.council_id !== null ? await findCouncilById(deps.db, row.council_id) : undefined;
  const councilName = council?.name ?? 'Rådet';
  const reference = row.authority_reference?.trim();
  try {
    const subject = `Høringssvar vedr. ${row.title}${reference ? ` (jeres ref. ${reference})` : ''}`;
    // Sent on the council's behalf from the noreply sender: the authority's answer goes to the council's own e-mail.
    const replyTo = council?.letterhead_email ?? null;
    const mail = composeMail(
      'submission',
      {
        to,
        subject,
        replyTo,
        attachments: [{ filename: pdfFileName(row.reference ?? row.id), content: archive.pdf, contentType: 'application/pdf' }],
      },
      { title: row.title, authority: row.authority, councilName, reference: reference || null, replyTo },
    );
    const sent = await deps.mailer.send(mail);
    await record('MAIL_DELIVERED', {
      to,
      archiveId: archive.id,
      sha256: archive.sha256,
      messageId: sent.messageId,
      attempts: attempt.retryCount + 1,
    });
  } catch (error) {
    deps.logger.warn({ err: error, consultationId: row.id, attempt: attempt.retryCount + 1 }, 'submission mail failed');
    if (lastTry) {
      await record('MAIL_FAILED', { to, archiveId: archive.id, reason: String((error as Error).message ?? error), attempts: attempt.retryCount + 1 });
    }
    throw error;
  }
}

function pdfFileName(reference: string): string {
  return `Hoeringssvar-${reference.replace(/[^A-Za-z0-9_-]+/g, '-')}.pdf`;
}
