import type { Db } from '../../db/database.ts';
import {
  finishMailboxPoll,
  isMessageIngested,
  leaseIntakeMailbox,
  listEnabledMailboxCouncils,
  listRetryableMailIds,
  lockFailedMail,
  markMailDuplicate,
  markMailFailedAgain,
  markMailIngested,
  recordSeenMail,
  type SeenMail,
} from '../../db/repositories/intake.ts';
import type { Logger } from '../../logger.ts';
import { deadlineInstant, registerArrivedConsultation } from '../consultations/arrivals.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { danishDate, type Clock } from '../time.ts';
import { openSecret } from '../tokens/secret-box.ts';
import { readConsultationMail, UnreadableMailError, type ReadMail } from './mail-reading.ts';
import { MailboxConnectionError, type MailboxConnector, type MailboxSettings } from './mailbox.ts';

/*
 * The poll of the councils' intake mailboxes. Each mail becomes a consultation of the council,
 * once: it is recorded under the folder's UIDVALIDITY and UID in the same transaction that
 * registers it, and a mail whose Message-ID was already taken in is recorded as a duplicate. The
 * mail is put aside on the server only after that transaction commits, so a crash between the two
 * reads it again and the record stops it. A mail that cannot be read is kept with its error and
 * tried again at the next polls.
 */

/** The purpose the mailbox passwords are sealed under (src/domain/tokens/secret-box.ts). */
export const MAILBOX_PASSWORD_PURPOSE = 'intake-mailbox-password';

/** How long one poll may hold a mailbox before another process may take it over. */
const LEASE_MS = 10 * 60_000;
/** Mails read per poll: the rest wait for the next poll. */
const MAILS_PER_POLL = 25;
/** Tries of a mail that cannot be read, the first included. */
export const MAX_MAIL_ATTEMPTS = 5;
/** The largest mail taken in (the documents' own limit is 25 MB each). */
const MAX_MAIL_BYTES = 60 * 1024 * 1024;

export interface MailIntakeDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: Jobs;
  config: { sessionSecret: string };
  mailboxes: MailboxConnector;
}

/** What one poll of a mailbox did. */
export interface PollResult {
  councilId: number;
  /** False when another process held the mailbox (or it is off). */
  polled: boolean;
  ingested: number;
  duplicates: number;
  failed: number;
  error: string | null;
}

/** The settings to connect with, the password opened; undefined when it does not open (SESSION_SECRET changed). */
export function mailboxSettingsOf(
  secret: string,
  row: {
    host: string;
    port: number;
    tls: boolean;
    username: string;
    password_sealed: string;
    folder: string;
    after_processing: 'move' | 'flag';
    processed_folder: string;
  },
): MailboxSettings | undefined {
  const password = openSecret(secret, MAILBOX_PASSWORD_PURPOSE, row.password_sealed);
  if (password === undefined) return undefined;
  return {
    host: row.host,
    port: row.port,
    tls: row.tls,
    username: row.username,
    password,
    folder: row.folder,
    afterProcessing: row.after_processing,
    processedFolder: row.processed_folder,
  };
}

function arrivalOf(councilId: number, mail: ReadMail, receivedAt: Date) {
  const instant = deadlineInstant(mail.deadline);
  return {
    councilId,
    source: 'mail' as const,
    title: mail.title,
    authority: mail.authority ?? 'Ukendt afsender',
    authorityEmail: mail.authorityEmail,
    summary: mail.text || null,
    sourceUrl: null,
    receivedOn: danishDate(receivedAt),
    deadline: instant && mail.deadline ? { instant, sentence: mail.deadline.sentence } : undefined,
    files: mail.attachments,
  };
}

type Outcome = 'ingested' | 'duplicate' | 'failed' | 'seen';

async function read(raw: Buffer, at: Date): Promise<ReadMail | Error> {
  if (raw.length > MAX_MAIL_BYTES) return new UnreadableMailError(`Mailen er større end ${MAX_MAIL_BYTES / 1024 / 1024} MB`);
  return readConsultationMail(raw, at).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

const reasonOf = (error: Error) => (error instanceof UnreadableMailError ? error.message : `Mailen kunne ikke registreres: ${error.message}`);

/** Takes in one mail seen for the first time: a consultation, a duplicate, a failure, or nothing when it was seen before. */
async function takeIn(deps: MailIntakeDeps, seen: Omit<SeenMail, 'messageId' | 'subject' | 'sender'>): Promise<Outcome> {
  const now = deps.clock();
  const mail = await read(seen.raw, now);
  const identity =
    mail instanceof Error
      ? { messageId: null, subject: null, sender: null }
      : { messageId: mail.messageId, subject: mail.title, sender: mail.authorityEmail ?? mail.authority };
  const recordFailure = async (error: Error): Promise<Outcome> => {
    const id = await recordSeenMail(deps.db, { ...seen, ...identity }, 'failed', reasonOf(error));
    if (id !== undefined) deps.logger.warn({ councilId: seen.councilId, uid: seen.uid, mailId: id, reason: reasonOf(error) }, 'intake mail failed');
    return id === undefined ? 'seen' : 'failed';
  };
  if (mail instanceof Error) return recordFailure(mail);
  try {
    return await deps.db.transaction().execute(async (tx): Promise<Outcome> => {
      if (mail.messageId && (await isMessageIngested(tx, seen.councilId, mail.messageId))) {
        const id = await recordSeenMail(tx, { ...seen, ...identity }, 'duplicate', null);
        return id === undefined ? 'seen' : 'duplicate';
      }
      const id = await recordSeenMail(tx, { ...seen, ...identity }, 'received', null);
      if (id === undefined) return 'seen';
      const consultationId = await registerArrivedConsultation(
        tx,
        { ...deps, sessionSecret: deps.config.sessionSecret },
        arrivalOf(seen.councilId, mail, now),
      );
      await markMailIngested(tx, id, consultationId);
      return 'ingested';
    });
  } catch (error) {
    // Another poll took the same Message-ID in at the same moment: the unique index says so.
    if ((error as { code?: string }).code === '23505' && mail.messageId && (await isMessageIngested(deps.db, seen.councilId, mail.messageId))) {
      const id = await recordSeenMail(deps.db, { ...seen, ...identity }, 'duplicate', null);
      return id === undefined ? 'seen' : 'duplicate';
    }
    return recordFailure(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Tries the council's failed mails once more, each in its own transaction (a second poll skips the one locked). */
async function retryFailed(deps: MailIntakeDeps, councilId: number): Promise<{ ingested: number; duplicates: number }> {
  const done = { ingested: 0, duplicates: 0 };
  for (const id of await listRetryableMailIds(deps.db, councilId, MAX_MAIL_ATTEMPTS, MAILS_PER_POLL)) {
    const now = deps.clock();
    const outcome = await deps.db
      .transaction()
      .execute(async (tx): Promise<Outcome | Error> => {
        const row = await lockFailedMail(tx, id);
        if (!row) return 'seen';
        const mail = row.raw ? await read(row.raw, now) : new UnreadableMailError('Mailens indhold er ikke gemt');
        if (mail instanceof Error) return mail;
        if (mail.messageId && (await isMessageIngested(tx, councilId, mail.messageId))) {
          await markMailDuplicate(tx, id);
          return 'duplicate';
        }
        const consultationId = await registerArrivedConsultation(
          tx,
          { ...deps, sessionSecret: deps.config.sessionSecret },
          arrivalOf(councilId, mail, now),
        );
        await markMailIngested(tx, id, consultationId, { messageId: mail.messageId, subject: mail.title });
        return 'ingested';
      })
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (outcome instanceof Error) await markMailFailedAgain(deps.db, id, reasonOf(outcome));
    if (outcome === 'ingested') done.ingested += 1;
    if (outcome === 'duplicate') done.duplicates += 1;
  }
  return done;
}

/**
 * Polls one council's mailbox, unless another process is polling it: the new mails become
 * consultations (or duplicates, or failures kept to try again), each is put aside on the server,
 * and the folder's UIDVALIDITY and last UID are kept for the next poll.
 */
export async function pollMailbox(deps: MailIntakeDeps, councilId: number): Promise<PollResult> {
  const result: PollResult = { councilId, polled: false, ingested: 0, duplicates: 0, failed: 0, error: null };
  const now = deps.clock();
  const row = await leaseIntakeMailbox(deps.db, councilId, now, new Date(now.getTime() + LEASE_MS));
  if (!row) return result;
  result.polled = true;
  let uidValidity: number | null = null;
  let lastUid = row.last_uid;
  try {
    const retried = await retryFailed(deps, councilId);
    result.ingested += retried.ingested;
    result.duplicates += retried.duplicates;
    const settings = mailboxSettingsOf(deps.config.sessionSecret, row);
    if (!settings) throw new MailboxConnectionError('Adgangskoden kan ikke læses (SESSION_SECRET er skiftet): skriv den igen');
    const session = await deps.mailboxes.open(settings);
    try {
      uidValidity = session.uidValidity;
      // A new UIDVALIDITY: the old UIDs mean nothing; start over (the Message-IDs stop repeats).
      if (row.uid_validity !== null && row.uid_validity !== uidValidity) lastUid = 0;
      for (const message of await session.messagesAfter(lastUid, MAILS_PER_POLL)) {
        const outcome = await takeIn(deps, { councilId, uidValidity, uid: message.uid, raw: message.source });
        if (outcome === 'ingested') result.ingested += 1;
        if (outcome === 'duplicate') result.duplicates += 1;
        if (outcome === 'failed') result.failed += 1;
        await session.markProcessed(message.uid);
        lastUid = message.uid;
      }
    } finally {
      await session.close();
    }
  } catch (error) {
    result.error = error instanceof MailboxConnectionError ? error.message : 'Postkassen kunne ikke læses; se serverens log';
    deps.logger.warn(
      { councilId, err: error instanceof MailboxConnectionError ? undefined : error, reason: result.error },
      'intake mailbox poll failed',
    );
  } finally {
    await finishMailboxPoll(deps.db, councilId, { uidValidity, lastUid, error: result.error, at: deps.clock() });
  }
  return result;
}

/** Polls every switched-on mailbox (the intake job); one failing mailbox does not stop the others. */
export async function pollAllMailboxes(deps: MailIntakeDeps): Promise<PollResult[]> {
  const results: PollResult[] = [];
  for (const councilId of await listEnabledMailboxCouncils(deps.db)) results.push(await pollMailbox(deps, councilId));
  return results;
}
