import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { findConsultationRow } from '../../db/repositories/consultations.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { listActiveUsersById } from '../../db/repositories/reminders.ts';
import { claimProcedureMail } from '../../db/repositories/written-procedure.ts';
import type { Consultation, Council, WrittenProcedureMailKind } from '../../db/types.ts';
import type { Logger } from '../../logger.ts';
import { restoreSnapshot, type PersistedConsultation, type WrittenProcedure } from '../../../workflows/consultation.machine.ts';
import { draftPreviewForMail } from '../archive/service.ts';
import type { Mailer, MailMessage } from '../mail/mailer.ts';
import { composeMail } from '../mail/templates.ts';
import type { PdfRenderer } from '../pdf/renderer.ts';
import { formatDanishDateTime, type Clock } from '../time.ts';
import type { WrittenProcedureJob } from './jobs.ts';
import { procedureReminderAt } from './times.ts';
import { issueVoteToken, voteUrl } from './vote-links.ts';

/*
 * The written procedure's mails to its voters: the start mail (the draft in the mail, the draft
 * letter attached as PDF, the voter's vote link) and, one working day before closing, the reminder
 * to those who have not voted. Each goes to each voter once, however many workers run the job:
 * a voter's mail is claimed by inserting its row in `written_procedure_mails` in the transaction
 * that also stores the voter's vote link and sends the mail, so a failed send leaves neither (the
 * job is tried again) and a second worker's claim waits for the first and then does nothing.
 */

/** What the written procedure's mails need: the worker's dependencies. */
export interface ProcedureMailDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  pdf: Pick<PdfRenderer, 'render'>;
  config: Pick<Config, 'publicUrl' | 'port'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

interface ProcedureOfJob {
  row: Consultation;
  council: Council;
  procedure: WrittenProcedure;
}

/** The job's procedure, while it is the consultation's newest; undefined when it is gone or replaced. */
async function procedureOfJob(db: Db, job: WrittenProcedureJob): Promise<ProcedureOfJob | undefined> {
  const row = await findConsultationRow(db, job.consultationId);
  if (!row || row.council_id === null) return undefined;
  const procedure = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version).context.writtenProcedure;
  const council = await findCouncilById(db, row.council_id);
  if (!procedure || procedure.number !== job.procedureNumber || !council) return undefined;
  return { row, council, procedure };
}

/** True while the procedure runs: no outcome yet and its closing time not reached. */
function isRunning(procedure: WrittenProcedure, now: Date): boolean {
  return procedure.outcome === null && Date.parse(procedure.closesAt) > now.getTime();
}

/** True when the user has cast a vote in the procedure (a changed vote counts once). */
function hasVoted(procedure: WrittenProcedure, userId: number): boolean {
  return Object.hasOwn(procedure.votes, String(userId));
}

/** A Markdown draft as the mail's paragraphs, each a list of its lines (the mail keeps the line breaks). */
export function draftParagraphs(markdown: string): string[][] {
  return markdown
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((line) => line.trimEnd()))
    .filter((lines) => lines.some((line) => line.trim() !== ''));
}

/**
 * Sends one voter's mail of `kind` once: claims it, stores a fresh vote link and sends, in one
 * transaction. `compose` makes the mail from the link's address. False when it was sent already.
 */
async function sendOnce(
  deps: ProcedureMailDeps,
  of: ProcedureOfJob,
  userId: number,
  kind: WrittenProcedureMailKind,
  compose: (url: string) => MailMessage,
): Promise<boolean> {
  const target = { consultationId: of.row.id, procedureNumber: of.procedure.number, userId };
  return deps.db.transaction().execute(async (tx) => {
    if (!(await claimProcedureMail(tx, { ...target, kind }))) return false;
    const token = await issueVoteToken(tx, target, new Date(of.procedure.closesAt));
    // Sent inside the transaction: a failed send rolls the claim and the link back, and the job
    // is tried again; only a crash between the send and the commit could send it twice.
    await deps.mailer.send(compose(voteUrl(deps.config, token)));
    return true;
  });
}

/**
 * The start job: mails each voter of the procedure (its chair and members when it started; a
 * disabled user is skipped) the draft, the draft letter as PDF and their vote link. Nothing when
 * the procedure ended or was replaced before the job ran. Returns how many mails this run sent.
 */
export async function sendProcedureStartMails(deps: ProcedureMailDeps, job: WrittenProcedureJob): Promise<number> {
  const of = await procedureOfJob(deps.db, job);
  if (!of || !isRunning(of.procedure, deps.clock())) return 0;
  const voters = await listActiveUsersById(deps.db, of.procedure.voters);
  if (voters.length === 0) return 0;
  // One render for the whole run: every voter gets the same draft letter.
  const preview = await draftPreviewForMail(deps, of.row.id);
  const closesAt = formatDanishDateTime(new Date(of.procedure.closesAt));
  const subject = `Skriftlig procedure: ${of.row.title} – stem senest ${closesAt}`;
  let sent = 0;
  for (const voter of voters) {
    const mailed = await sendOnce(deps, of, voter.id, 'started', (url) =>
      composeMail(
        'written-procedure-started',
        {
          to: voter.email,
          subject,
          automatic: true,
          replyTo: of.council.letterhead_email,
          ...(preview ? { attachments: [{ filename: preview.fileName, content: preview.pdf, contentType: 'application/pdf' }] } : {}),
        },
        {
          name: voter.name,
          title: of.row.title,
          authority: of.row.authority,
          councilName: of.council.name,
          closesAt,
          note: of.procedure.note,
          draftNumber: of.procedure.draftNumber,
          draftParagraphs: draftParagraphs(preview?.body ?? ''),
          voteUrl: url,
        },
      ),
    );
    if (mailed) sent += 1;
  }
  return sent;
}

/**
 * The reminder job (queued to run at procedureReminderAt(closesAt)): mails each voter who has not
 * voted a new vote link. Nothing when the procedure has ended, closes before the job runs, or
 * was started less than a working day before closing (its start mail is the reminder then).
 * Returns how many mails this run sent.
 */
export async function sendProcedureReminders(deps: ProcedureMailDeps, job: WrittenProcedureJob): Promise<number> {
  const first = await procedureOfJob(deps.db, job);
  if (!first || procedureReminderAt(new Date(first.procedure.closesAt)).getTime() <= Date.parse(first.procedure.startedAt)) return 0;
  const voters = await listActiveUsersById(deps.db, first.procedure.voters);
  const closesAt = formatDanishDateTime(new Date(first.procedure.closesAt));
  let sent = 0;
  for (const voter of voters) {
    // Read again for each voter: a vote or the closing may have come while the others were mailed.
    const of = await procedureOfJob(deps.db, job);
    if (!of || !isRunning(of.procedure, deps.clock())) break;
    if (hasVoted(of.procedure, voter.id)) continue;
    const mailed = await sendOnce(deps, of, voter.id, 'reminder', (url) =>
      composeMail(
        'written-procedure-reminder',
        { to: voter.email, subject: `Påmindelse: stem om ${of.row.title} senest ${closesAt}`, automatic: true, replyTo: of.council.letterhead_email },
        { name: voter.name, title: of.row.title, councilName: of.council.name, closesAt, voteUrl: url },
      ),
    );
    if (mailed) sent += 1;
  }
  return sent;
}
