import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { FeedSuggestionStatus, IntakeMailStatus } from '../types.ts';

/*
 * The councils' intake mailboxes and Høringsportalen watches, the mails seen and the hearings
 * suggested. A poll leases its mailbox or watch first (lease_until), so one process at a time
 * polls it whatever number of processes run the job.
 */

// ---- Mailboxes ----

/** The settings an admin gives for a council's mailbox; `passwordSealed` undefined keeps the stored one. */
export interface MailboxValues {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  passwordSealed?: string;
  folder: string;
  afterProcessing: 'move' | 'flag';
  processedFolder: string;
  enabled: boolean;
}

/** Stores a council's mailbox settings; a changed server or folder starts over at its first mail (UIDs are per folder). */
export async function upsertIntakeMailbox(db: Executor, councilId: number, values: MailboxValues, now: Date): Promise<void> {
  const settings = {
    host: values.host,
    port: values.port,
    tls: values.tls,
    username: values.username,
    folder: values.folder,
    after_processing: values.afterProcessing,
    processed_folder: values.processedFolder,
    enabled: values.enabled,
    updated_at: now,
  };
  await db
    .insertInto('intake_mailboxes')
    .values({ council_id: councilId, ...settings, password_sealed: values.passwordSealed ?? '' })
    .onConflict((oc) =>
      oc.column('council_id').doUpdateSet((eb) => ({
        ...settings,
        ...(values.passwordSealed === undefined ? {} : { password_sealed: values.passwordSealed }),
        // Another server, user or folder has other UIDs: start from its first mail.
        uid_validity: sql<number | null>`case when intake_mailboxes.host = ${values.host} and intake_mailboxes.username = ${values.username}
          and intake_mailboxes.folder = ${values.folder} then intake_mailboxes.uid_validity end`,
        last_uid: sql<number>`case when intake_mailboxes.host = ${values.host} and intake_mailboxes.username = ${values.username}
          and intake_mailboxes.folder = ${values.folder} then intake_mailboxes.last_uid else 0 end`,
        last_error: eb.val<string | null>(null),
      })),
    )
    .execute();
}

/** A council's mailbox with its sealed password (for the poll and the connection test), or undefined. */
export function findIntakeMailbox(db: Executor, councilId: number) {
  return db.selectFrom('intake_mailboxes').selectAll().where('council_id', '=', councilId).executeTakeFirst();
}

/** Removes a council's mailbox (the mails already taken in stay). */
export async function deleteIntakeMailbox(db: Executor, councilId: number): Promise<void> {
  await db.deleteFrom('intake_mailboxes').where('council_id', '=', councilId).execute();
}

/** The councils whose mailbox is switched on. */
export async function listEnabledMailboxCouncils(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('intake_mailboxes').select('council_id').where('enabled', '=', true).orderBy('council_id').execute();
  return rows.map((r) => r.council_id);
}

/** Leases the mailbox until `until` when no other poll holds it; the mailbox row, or undefined when it is held or gone. */
export function leaseIntakeMailbox(db: Executor, councilId: number, now: Date, until: Date) {
  return db
    .updateTable('intake_mailboxes')
    .set({ lease_until: until })
    .where('council_id', '=', councilId)
    .where('enabled', '=', true)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Ends a poll: where the folder stands now, and the error that stopped it (null: none). */
export async function finishMailboxPoll(
  db: Executor,
  councilId: number,
  done: { uidValidity: number | null; lastUid: number; error: string | null; at: Date },
): Promise<void> {
  await db
    .updateTable('intake_mailboxes')
    .set({
      lease_until: null,
      last_polled_at: done.at,
      last_error: done.error,
      ...(done.uidValidity === null ? {} : { uid_validity: done.uidValidity, last_uid: done.lastUid }),
    })
    .where('council_id', '=', councilId)
    .execute();
}

// ---- Mails seen ----

/** A mail as first seen. */
export interface SeenMail {
  councilId: number;
  uidValidity: number;
  uid: number;
  messageId: string | null;
  subject: string | null;
  sender: string | null;
  raw: Buffer;
}

/**
 * Records a mail the first time it is seen under its UIDVALIDITY and UID; its id, or undefined
 * when that mail was seen before (by this process or another).
 */
export async function recordSeenMail(db: Executor, mail: SeenMail, status: IntakeMailStatus, error: string | null): Promise<number | undefined> {
  const row = await db
    .insertInto('intake_mails')
    .values({
      council_id: mail.councilId,
      uid_validity: mail.uidValidity,
      uid: mail.uid,
      message_id: mail.messageId,
      subject: mail.subject,
      sender: mail.sender,
      status,
      error,
      attempts: 1,
      raw: status === 'failed' ? mail.raw : null,
    })
    .onConflict((oc) => oc.columns(['council_id', 'uid_validity', 'uid']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Whether a mail with this Message-ID has already become a consultation of the council. */
export async function isMessageIngested(db: Executor, councilId: number, messageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('intake_mails')
    .select('id')
    .where('council_id', '=', councilId)
    .where('message_id', '=', messageId)
    .where('status', '=', 'ingested')
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks a seen mail as ingested into a consultation; its bytes are no longer kept. `read`: what a retry read of a mail first unreadable. */
export async function markMailIngested(
  db: Executor,
  id: number,
  consultationId: string,
  read?: { messageId: string | null; subject: string },
): Promise<void> {
  await db
    .updateTable('intake_mails')
    .set({
      status: 'ingested',
      consultation_id: consultationId,
      raw: null,
      error: null,
      ...(read ? { message_id: read.messageId, subject: read.subject } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Marks a mail as a copy of one already ingested. */
export async function markMailDuplicate(db: Executor, id: number): Promise<void> {
  await db.updateTable('intake_mails').set({ status: 'duplicate', raw: null, error: null }).where('id', '=', id).execute();
}

/** Records one more failed try of a failed mail. */
export async function markMailFailedAgain(db: Executor, id: number, error: string): Promise<void> {
  await db
    .updateTable('intake_mails')
    .set((eb) => ({ error, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Failed mails of a council still to be tried again (fewer than `maxAttempts` tries), oldest first. */
export async function listRetryableMailIds(db: Executor, councilId: number, maxAttempts: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('intake_mails')
    .select('id')
    .where('council_id', '=', councilId)
    .where('status', '=', 'failed')
    .where('attempts', '<', maxAttempts)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** A failed mail with its bytes, locked for a retry; undefined when another poll holds it or it is no longer failed. */
export function lockFailedMail(db: Executor, id: number) {
  return db
    .selectFrom('intake_mails')
    .select(['id', 'raw'])
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** The mails of councils that could not be read, newest first, for the secretary and the admin. */
export function listFailedMails(db: Executor, councilIds: number[]) {
  if (councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('intake_mails')
    .innerJoin('councils', 'councils.id', 'intake_mails.council_id')
    .select([
      'intake_mails.id',
      'intake_mails.council_id',
      'councils.name as council_name',
      'intake_mails.subject',
      'intake_mails.sender',
      'intake_mails.seen_at',
      'intake_mails.attempts',
      'intake_mails.error',
    ])
    .where('intake_mails.council_id', 'in', councilIds)
    .where('intake_mails.status', '=', 'failed')
    .orderBy('intake_mails.id', 'desc')
    .limit(50)
    .execute();
}

/** A failed mail with its bytes and council, or undefined. */
export function findFailedMail(db: Executor, id: number) {
  return db
    .selectFrom('intake_mails')
    .select(['id', 'council_id', 'subject', 'raw'])
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
}

/** Every mail of a council as the intake recorded it (tests and the admin page's figures). */
export function listSeenMails(db: Executor, councilId: number) {
  return db
    .selectFrom('intake_mails')
    .select(['id', 'uid_validity', 'uid', 'message_id', 'status', 'attempts', 'error', 'consultation_id', 'subject'])
    .where('council_id', '=', councilId)
    .orderBy('id')
    .execute();
}

// ---- Høringsportalen watches ----

/** What an admin sets for a council's watch of the feed. */
export interface FeedWatchValues {
  url: string;
  keywords: string[];
  authorities: string[];
  enabled: boolean;
}

/** Stores a council's feed watch. */
export async function upsertFeedWatch(db: Executor, councilId: number, values: FeedWatchValues, now: Date): Promise<void> {
  const settings = { url: values.url, keywords: values.keywords, authorities: values.authorities, enabled: values.enabled, updated_at: now };
  await db
    .insertInto('feed_watches')
    .values({ council_id: councilId, ...settings })
    .onConflict((oc) => oc.column('council_id').doUpdateSet({ ...settings, last_error: null }))
    .execute();
}

/** A council's feed watch, or undefined. */
export function findFeedWatch(db: Executor, councilId: number) {
  return db.selectFrom('feed_watches').selectAll().where('council_id', '=', councilId).executeTakeFirst();
}

/** Removes a council's feed watch (its suggestions stay). */
export async function deleteFeedWatch(db: Executor, councilId: number): Promise<void> {
  await db.deleteFrom('feed_watches').where('council_id', '=', councilId).execute();
}

/** The councils whose feed watch is switched on. */
export async function listEnabledFeedCouncils(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('feed_watches').select('council_id').where('enabled', '=', true).orderBy('council_id').execute();
  return rows.map((r) => r.council_id);
}

/** Leases the watch until `until` when no other poll holds it; its row, or undefined. */
export function leaseFeedWatch(db: Executor, councilId: number, now: Date, until: Date) {
  return db
    .updateTable('feed_watches')
    .set({ lease_until: until })
    .where('council_id', '=', councilId)
    .where('enabled', '=', true)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Ends a poll of a watch. */
export async function finishFeedPoll(db: Executor, councilId: number, done: { error: string | null; at: Date }): Promise<void> {
  await db
    .updateTable('feed_watches')
    .set({ lease_until: null, last_polled_at: done.at, last_error: done.error })
    .where('council_id', '=', councilId)
    .execute();
}

/** A hearing found in the feed. */
export interface FoundHearing {
  entryId: string;
  title: string;
  link: string | null;
  authority: string | null;
  summary: string | null;
  deadline: Date | null;
  deadlineSentence: string | null;
  publishedAt: Date | null;
}

/** Suggests a hearing to a council once; true when it is new. */
export async function insertFeedSuggestion(db: Executor, councilId: number, hearing: FoundHearing): Promise<boolean> {
  const row = await db
    .insertInto('feed_suggestions')
    .values({
      council_id: councilId,
      entry_id: hearing.entryId,
      title: hearing.title,
      link: hearing.link,
      authority: hearing.authority,
      summary: hearing.summary,
      deadline: hearing.deadline,
      deadline_sentence: hearing.deadlineSentence,
      published_at: hearing.publishedAt,
    })
    .onConflict((oc) => oc.columns(['council_id', 'entry_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The suggestions of councils still waiting for the secretary, newest first. */
export function listPendingSuggestions(db: Executor, councilIds: number[]) {
  if (councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('feed_suggestions')
    .innerJoin('councils', 'councils.id', 'feed_suggestions.council_id')
    .select([
      'feed_suggestions.id',
      'feed_suggestions.council_id',
      'councils.name as council_name',
      'feed_suggestions.title',
      'feed_suggestions.link',
      'feed_suggestions.authority',
      'feed_suggestions.deadline',
      'feed_suggestions.deadline_sentence',
      'feed_suggestions.published_at',
    ])
    .where('feed_suggestions.council_id', 'in', councilIds)
    .where('feed_suggestions.status', '=', 'pending')
    .orderBy('feed_suggestions.id', 'desc')
    .limit(50)
    .execute();
}

/** A suggestion, locked for the secretary's decision, or undefined. */
export function lockSuggestion(db: Executor, id: number) {
  return db.selectFrom('feed_suggestions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Records the secretary's decision on a suggestion. */
export async function decideSuggestion(
  db: Executor,
  id: number,
  decision: { status: Exclude<FeedSuggestionStatus, 'pending'>; by: number; at: Date; consultationId: string | null },
): Promise<void> {
  await db
    .updateTable('feed_suggestions')
    .set({ status: decision.status, decided_by: decision.by, decided_at: decision.at, consultation_id: decision.consultationId })
    .where('id', '=', id)
    .execute();
}
