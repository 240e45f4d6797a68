import { sql } from 'kysely';
import { FINAL_STATES } from '../../../workflows/consultation.machine.ts';
import type { Executor } from '../database.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/** The live feed token row for a user's own feed (councilId null) or one council's feed. */
export function findLiveCalendarTokenFor(db: Executor, userId: number, councilId: number | null) {
  let query = db.selectFrom('calendar_tokens').select(['id', 'nonce']).where('user_id', '=', userId).where('revoked_at', 'is', null);
  query = councilId === null ? query.where('council_id', 'is', null) : query.where('council_id', '=', councilId);
  return query.executeTakeFirst();
}

/** The live token row with this hash, or undefined. */
export function findLiveCalendarTokenByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('calendar_tokens')
    .select(['id', 'user_id', 'council_id', 'served_sha256', 'served_changed_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Stores a new live feed token; fails on the partial unique index if one is already live. */
export async function insertCalendarToken(
  db: Executor,
  token: { userId: number; councilId: number | null; nonce: string; tokenHash: string },
): Promise<void> {
  await db
    .insertInto('calendar_tokens')
    .values({ user_id: token.userId, council_id: token.councilId, nonce: token.nonce, token_hash: token.tokenHash })
    .execute();
}

/**
 * Records that a feed token now serves the text with this hash, first seen at `at`, unless it
 * already does; returns the time the served text last changed. The time only moves forward, by at
 * least a second, so a client's If-Modified-Since (whole seconds) never matches a newer text.
 */
export async function recordServedFeed(db: Executor, tokenId: number, sha256: string, at: Date): Promise<Date> {
  const updated = await db
    .updateTable('calendar_tokens')
    .set({
      served_sha256: sha256,
      served_changed_at: sql<Date>`greatest(${at}::timestamptz, served_changed_at + interval '1 second')`,
    })
    .where('id', '=', tokenId)
    .where(sql<boolean>`served_sha256 is distinct from ${sha256}`)
    .returning('served_changed_at')
    .executeTakeFirst();
  if (updated?.served_changed_at) return updated.served_changed_at;
  const current = await db.selectFrom('calendar_tokens').select('served_changed_at').where('id', '=', tokenId).executeTakeFirstOrThrow();
  return current.served_changed_at ?? at;
}

/** Revokes the live feed token of a user's feed. */
export async function revokeCalendarTokens(db: Executor, userId: number, councilId: number | null): Promise<void> {
  let query = db.updateTable('calendar_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  query = councilId === null ? query.where('council_id', 'is', null) : query.where('council_id', '=', councilId);
  await query.execute();
}

/**
 * The open consultations the viewer sees (visibleTo; a feed's viewer is never an administrator, and the
 * join leaves out unassigned consultations) whose deadline lies in `[from, until)`, soonest first and
 * at most `limit`, with how many times their deadline was extended (the event's SEQUENCE). The
 * window keeps the read on the (council_id, deadline, id) index, whatever the table's size.
 */
export function listFeedDeadlines(db: Executor, viewer: Viewer, window: FeedWindow) {
  if (viewer.councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
    .select((eb) => [
      'consultations.id',
      'consultations.title',
      'consultations.deadline',
      'consultations.reference',
      'consultations.authority',
      'consultations.updated_at',
      'councils.name as councilName',
      eb
        .selectFrom('consultation_events')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('consultation_events.consultation_id', '=', 'consultations.id')
        .where('consultation_events.type', '=', 'EXTEND_DEADLINE')
        .as('extensions'),
    ])
    .where((eb) => visibleTo(eb, viewer))
    .where('consultations.deadline', '>=', window.from)
    .where('consultations.deadline', '<', window.until)
    .where('consultations.state', 'not in', FINAL_STATES)
    .orderBy('consultations.deadline')
    .orderBy('consultations.id')
    .limit(window.limit)
    .execute();
}

/** The time span and the most events a feed reads. */
export interface FeedWindow {
  from: Date;
  until: Date;
  limit: number;
}

/** Meetings of these councils starting in `[from, until)`, soonest first and at most `limit`. */
export function listFeedMeetings(db: Executor, councilIds: number[], window: FeedWindow) {
  if (councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('meetings')
    .innerJoin('councils', 'councils.id', 'meetings.council_id')
    .select(['meetings.id', 'meetings.starts_at', 'meetings.place', 'meetings.note', 'meetings.created_at', 'councils.name as councilName'])
    .where('meetings.council_id', 'in', councilIds)
    .where('meetings.starts_at', '>=', window.from)
    .where('meetings.starts_at', '<', window.until)
    .orderBy('meetings.starts_at')
    .orderBy('meetings.id')
    .limit(window.limit)
    .execute();
}
