import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/database.ts';
import {
  findLiveCalendarTokenByHash,
  findLiveCalendarTokenFor,
  insertCalendarToken,
  listFeedDeadlines,
  listFeedMeetings,
  recordServedFeed,
  revokeCalendarTokens,
} from '../../db/repositories/calendar.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import { findUserByEmail } from '../../db/repositories/users.ts';
import { loadActor, type Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import { publicBaseUrl } from '../public-url.ts';
import type { Clock } from '../time.ts';
import { buildCalendarFeed, type FeedEvent } from './feed.ts';

/**
 * Secret calendar feed addresses. The database keeps a random nonce and the token's SHA-256; the
 * token itself is an HMAC of the nonce with the server secret, so the profile page can show the
 * address again while a copy of the database alone cannot produce a working one. Renewing replaces
 * the nonce, which kills the old address.
 */

const TOKEN_PREFIX = 'cal_';
/**
 * What a feed holds: deadlines and meetings from this many days back (so last month's events do not
 * vanish from calendars) to this many days ahead, and at most this many of each, soonest first. A
 * calendar program polls the feed every few hours, so later events appear as time moves on; the
 * bound keeps a feed's size and its cost to build the same however many consultations there are.
 */
export const FEED_PAST_DAYS = 30;
export const FEED_FUTURE_DAYS = 365;
export const FEED_MAX_EVENTS = 100;
const DAY_MS = 86_400_000;

export interface CalendarDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'publicUrl' | 'port' | 'sessionSecret'>;
}

function tokenFromNonce(secret: string, nonce: string): string {
  return TOKEN_PREFIX + createHmac('sha256', secret).update(`calendar:${nonce}`).digest('base64url');
}

function hashFeedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function feedUrl(deps: CalendarDeps, token: string): string {
  return `${publicBaseUrl(deps.config)}/calendar/${token}.ics`;
}

async function createToken(db: Executor, secret: string, userId: number, councilId: number | null): Promise<string> {
  const nonce = randomBytes(24).toString('base64url');
  const token = tokenFromNonce(secret, nonce);
  await insertCalendarToken(db, { userId, councilId, nonce, tokenHash: hashFeedToken(token) });
  return token;
}

/**
 * The feed address of a user's own feed (all their councils) or of one council they sit on,
 * creating the token the first time.
 */
export async function calendarFeedUrl(deps: CalendarDeps, actor: Actor, councilSlug?: string): Promise<string> {
  const councilId = councilSlug === undefined ? null : councilIdOf(actor, councilSlug);
  const live = await findLiveCalendarTokenFor(deps.db, actor.userId, councilId);
  if (live) return feedUrl(deps, tokenFromNonce(deps.config.sessionSecret, live.nonce));
  try {
    return feedUrl(deps, await createToken(deps.db, deps.config.sessionSecret, actor.userId, councilId));
  } catch {
    // Two first visits at once: the partial unique index let one win; use its token.
    const winner = await findLiveCalendarTokenFor(deps.db, actor.userId, councilId);
    if (!winner) throw new Error('calendar token could not be created');
    return feedUrl(deps, tokenFromNonce(deps.config.sessionSecret, winner.nonce));
  }
}

/** Replaces a feed's address with a new one; the old address stops working at once. */
export async function renewCalendarFeed(deps: CalendarDeps, actor: Actor, councilSlug?: string): Promise<string> {
  const councilId = councilSlug === undefined ? null : councilIdOf(actor, councilSlug);
  return deps.db.transaction().execute(async (tx) => {
    await revokeCalendarTokens(tx, actor.userId, councilId);
    return feedUrl(deps, await createToken(tx, deps.config.sessionSecret, actor.userId, councilId));
  });
}

function councilIdOf(actor: Actor, slug: string): number {
  const council = actor.councils.find((c) => c.slug === slug);
  if (!council) throw notFound('Rådet findes ikke');
  return council.councilId;
}

/** A feed as the route sends it: the text and what a client needs to ask again conditionally. */
export interface CalendarFeed {
  body: string;
  /** A strong ETag: the SHA-256 of `body`, which depends only on what the feed shows. */
  etag: string;
  /** When the served text last changed (whole seconds), for Last-Modified and If-Modified-Since. */
  lastModified: Date;
}

/**
 * The iCalendar feed behind a token: deadlines of the open consultations and the meetings of the
 * user's councils (or the one council of a council feed), within the feed's window and at most
 * FEED_MAX_EVENTS of each (see FEED_PAST_DAYS). NOT_FOUND for an unknown or renewed
 * token, a disabled user, or a council the user no longer sits on.
 *
 * Each event's DTSTAMP is its own last change (the consultation's updated time, the meeting's
 * creation; meetings are never edited, only added and deleted), so the text, and with it the ETag,
 * stays the same until something the feed shows changes, appears or goes. Last-Modified is when the
 * token first served the current text (recorded per token), because an event that left the feed
 * leaves no time of change behind.
 */
export async function calendarFeedForToken(deps: CalendarDeps, token: string): Promise<CalendarFeed> {
  if (!token.startsWith(TOKEN_PREFIX)) throw notFound('Kalenderen findes ikke');
  const row = await findLiveCalendarTokenByHash(deps.db, hashFeedToken(token));
  const actor = row ? await loadActor(deps.db, row.user_id) : undefined;
  if (!row || !actor) throw notFound('Kalenderen findes ikke');
  const councils = row.council_id === null ? actor.councils : actor.councils.filter((c) => c.councilId === row.council_id);
  if (councils.length === 0 && row.council_id !== null) throw notFound('Kalenderen findes ikke');
  const councilIds = councils.map((c) => c.councilId);
  const now = deps.clock();
  const window = {
    from: new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS),
    until: new Date(now.getTime() + FEED_FUTURE_DAYS * DAY_MS),
    limit: FEED_MAX_EVENTS,
  };
  const [deadlines, meetings] = await Promise.all([
    // The feed holds the councils the user sits on (or the one), also for an administrator.
    listFeedDeadlines(deps.db, { userId: actor.userId, isAdmin: false, councilIds }, window),
    listFeedMeetings(deps.db, councilIds, window),
  ]);
  const base = publicBaseUrl(deps.config);
  const events: FeedEvent[] = [
    ...deadlines.map((d) => ({
      kind: 'deadline' as const,
      id: d.id,
      title: d.title,
      councilName: d.councilName,
      start: d.deadline,
      sequence: Number(d.extensions ?? 0),
      changedAt: d.updated_at,
      description: [d.reference ? `Vores reference: ${d.reference}` : '', `Høringsmyndighed: ${d.authority}`].filter(Boolean).join('\n'),
      url: `${base}/consultations/${d.id}`,
    })),
    ...meetings.map((m) => ({
      kind: 'meeting' as const,
      id: String(m.id),
      title: m.note ?? '',
      councilName: m.councilName,
      start: m.starts_at,
      sequence: 0,
      changedAt: m.created_at,
      location: m.place,
    })),
  ];
  const name = row.council_id === null ? `Rådssvar – ${actor.name}` : `Rådssvar – ${councils[0]!.name}`;
  const body = buildCalendarFeed({ name, events });
  const sha256 = createHash('sha256').update(body).digest('base64url');
  const lastModified =
    row.served_sha256 === sha256 && row.served_changed_at
      ? row.served_changed_at
      : await recordServedFeed(deps.db, row.id, sha256, new Date(Math.floor(now.getTime() / 1000) * 1000));
  return { body, etag: `"${sha256}"`, lastModified };
}

/** For the CLI: the feed address of the user with this e-mail (and council slug). */
export async function calendarFeedUrlForEmail(deps: CalendarDeps, email: string, councilSlug?: string): Promise<string> {
  const user = await findUserByEmail(deps.db, email);
  const actor = user && !user.disabled_at ? await loadActor(deps.db, user.id) : undefined;
  if (!actor) {
    throw new AppError('NOT_FOUND', `Ingen aktiv bruger med e-mailen ${email}`, { details: [{ path: 'email', message: 'Ukendt bruger' }] });
  }
  if (councilSlug !== undefined && !(await findCouncilBySlug(deps.db, councilSlug))) {
    throw new AppError('NOT_FOUND', `Ukendt råd: ${councilSlug}`, { details: [{ path: 'council', message: 'Ukendt råd' }] });
  }
  if (councilSlug !== undefined && !actor.councils.some((c) => c.slug === councilSlug)) {
    throw new AppError('NOT_FOUND', `${email} sidder ikke i rådet ${councilSlug}`, {
      details: [{ path: 'council', message: 'Brugeren sidder ikke i rådet' }],
    });
  }
  return calendarFeedUrl(deps, actor, councilSlug);
}
