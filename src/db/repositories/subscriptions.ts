import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { submittedAtOfConsultation } from '../submitted-on.ts';

/*
 * E-mail subscriptions to the councils' public pages, and the claims that each published item is
 * announced once. Addresses are read only to mail them: nothing here lists them for a page.
 */

/**
 * Starts a subscription of `email` to the council, or renews the confirmation link of one that
 * exists (pending or confirmed): one row per council and address, so asking twice mails a new
 * link and changes nothing else.
 */
export async function upsertPendingSubscription(
  db: Executor,
  subscription: { councilId: number; email: string; tokenHash: string; expiresAt: Date; now: Date },
): Promise<void> {
  await db
    .insertInto('public_subscriptions')
    .values({
      council_id: subscription.councilId,
      email: subscription.email,
      requested_at: subscription.now,
      confirm_token_hash: subscription.tokenHash,
      confirm_expires_at: subscription.expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(['council_id', 'email']).doUpdateSet({
        requested_at: subscription.now,
        confirm_token_hash: subscription.tokenHash,
        confirm_expires_at: subscription.expiresAt,
      }),
    )
    .execute();
}

/** The subscription behind an open confirmation link (not expired at `now`), with its council; else undefined. */
export function findOpenConfirmation(db: Executor, tokenHash: string, now: Date) {
  return db
    .selectFrom('public_subscriptions')
    .innerJoin('councils', 'councils.id', 'public_subscriptions.council_id')
    .select(['councils.name as councilName', 'councils.slug as councilSlug'])
    .where('public_subscriptions.confirm_token_hash', '=', tokenHash)
    .where('public_subscriptions.confirm_expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Confirms the subscription of an open link, in one statement (the link is used up): the consent
 * time is `now`. Returns the subscription's id and council id, or undefined when the link was not open.
 */
export function confirmSubscriptionByToken(db: Executor, tokenHash: string, now: Date) {
  return db
    .updateTable('public_subscriptions')
    .set({ confirmed_at: now, confirm_token_hash: null, confirm_expires_at: null })
    .where('confirm_token_hash', '=', tokenHash)
    .where('confirm_expires_at', '>', now)
    .returning(['id', 'council_id as councilId'])
    .executeTakeFirst();
}

/** Whether the subscription exists (a confirmed or pending one). */
export async function subscriptionExists(db: Executor, id: number, councilId: number): Promise<boolean> {
  const row = await db.selectFrom('public_subscriptions').select('id').where('id', '=', id).where('council_id', '=', councilId).executeTakeFirst();
  return row !== undefined;
}

/** Ends a subscription: the row, and with it the address, is deleted. */
export async function deleteSubscription(db: Executor, id: number, councilId: number): Promise<void> {
  await db.deleteFrom('public_subscriptions').where('id', '=', id).where('council_id', '=', councilId).execute();
}

/** Deletes the pending subscriptions whose link expired before `now` (they never consented); returns how many. */
export async function purgeExpiredPendingSubscriptions(db: Executor, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('public_subscriptions')
    .where('confirmed_at', 'is', null)
    .where('confirm_expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The confirmed subscribers of a council who had consented by `at`: who an item published then is announced to. */
export function listConfirmedSubscribers(db: Executor, councilId: number, at: Date) {
  return db
    .selectFrom('public_subscriptions')
    .select(['id', 'email'])
    .where('council_id', '=', councilId)
    .where('confirmed_at', '<=', at)
    .orderBy('id')
    .execute();
}

/**
 * Responses published since `since` and still published, whose announcement is not claimed yet,
 * oldest first: what the announcement job mails about.
 */
export function listUnannouncedResponses(db: Executor, since: Date) {
  return db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.authority',
      'consultations.published_at as publishedAt',
      'councils.id as councilId',
      'councils.slug as councilSlug',
      'councils.name as councilName',
      submittedAtOfConsultation().as('submittedAt'),
    ])
    .where('consultations.state', '=', 'submitted')
    .where('consultations.published_at', '>=', since)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('public_announcements')
            .select('item_key')
            .whereRef('public_announcements.item_key', '=', sql<string>`'response:' || consultations.id`),
        ),
      ),
    )
    .$narrowType<{ publishedAt: Date }>()
    .orderBy('consultations.published_at')
    .execute();
}

/** Minutes archived since `since` by councils that publish them, not announced yet, oldest first. */
export function listUnannouncedMinutes(db: Executor, since: Date) {
  return db
    .selectFrom('archived_documents')
    .innerJoin('meetings', 'meetings.id', 'archived_documents.meeting_id')
    .innerJoin('councils', 'councils.id', 'meetings.council_id')
    .select([
      'archived_documents.id',
      'archived_documents.created_at as archivedAt',
      'meetings.id as meetingId',
      'meetings.starts_at as startsAt',
      'councils.id as councilId',
      'councils.slug as councilSlug',
      'councils.name as councilName',
    ])
    .where('archived_documents.kind', '=', 'minutes')
    .where('councils.minutes_published', '=', true)
    .where('archived_documents.created_at', '>=', since)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('public_announcements')
            .select('item_key')
            .whereRef('public_announcements.item_key', '=', sql<string>`'minutes:' || archived_documents.id`),
        ),
      ),
    )
    .orderBy('archived_documents.created_at')
    .execute();
}

/** Claims the announcement of an item; false when another run (or process) claimed it first. */
export async function claimAnnouncement(db: Executor, itemKey: string, councilId: number, recipients: number): Promise<boolean> {
  const row = await db
    .insertInto('public_announcements')
    .values({ item_key: itemKey, council_id: councilId, recipients })
    .onConflict((oc) => oc.column('item_key').doNothing())
    .returning('item_key')
    .executeTakeFirst();
  return row !== undefined;
}
