import { randomBytes } from 'node:crypto';
import type { Db, Executor } from '../../db/database.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findSessionWithUser,
  saveSession,
  touchSession,
} from '../../db/repositories/sessions.ts';
import { actorOfUser, type Actor } from '../access/actor.ts';
import { sha256Hex } from './digest.ts';

/** A session ends after this long without a request. */
const SESSION_IDLE_SECONDS = 8 * 60 * 60;

/** A new session id: 192 random bits, URL-safe. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * What the database knows a session by: the SHA-256 of its id, so the table and its backups hold
 * nothing that logs anyone in.
 */
export function sessionIdHash(sid: string): string {
  return sha256Hex(sid);
}

/**
 * A session's data as stored with the actor it is logged in as, in one read, or undefined when
 * there is no such session or it has expired. `actor` is undefined for an anonymous session and
 * for a user who is gone or disabled (`userId` then still says who it was).
 */
export async function readSessionWithActor(
  db: Executor,
  sid: string,
): Promise<{ data: Record<string, unknown>; userId?: number; actor?: Actor } | undefined> {
  const found = await findSessionWithUser(db, sessionIdHash(sid));
  if (!found) return undefined;
  return { data: JSON.parse(found.json) as Record<string, unknown>, userId: found.user?.id, actor: actorOfUser(found.user) };
}

// A JSON escape \u0000 that is not itself an escaped backslash followed by "u0000": preceded by an
// even run of backslashes (escaped pairs), which the replacement keeps.
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * A session's data as JSON text that PostgreSQL's json operators can always read: they refuse a
 * document holding the escape \u0000 anywhere ("cannot be converted to text"), and one such session
 * (a form sent back with a NUL in a field) would break every statement that reads `sess` — the
 * session read, and ending a user's sessions, which scans them all. A NUL cannot be stored in any
 * text column either, so it becomes U+FFFD, in keys and values alike.
 */
export function sessionJson(data: Record<string, unknown>): string {
  return JSON.stringify(data).replace(NUL_ESCAPE, '$1\\ufffd');
}

/** Writes a session's data and moves its expiry to the idle limit from now. */
export function writeSession(db: Executor, sid: string, data: Record<string, unknown>): Promise<void> {
  return saveSession(db, sessionIdHash(sid), sessionJson(data), SESSION_IDLE_SECONDS);
}

/** Moves a session's expiry to the idle limit from now, leaving its data alone. */
export function moveSessionExpiry(db: Executor, sid: string): Promise<void> {
  return touchSession(db, sessionIdHash(sid), SESSION_IDLE_SECONDS);
}

/** Removes a session (logout, a new session at login). */
export function removeSession(db: Executor, sid: string): Promise<void> {
  return deleteSession(db, sessionIdHash(sid));
}

/**
 * Ends every session of `userId` (after a password change or reset), except the one with id
 * `keepSid`, if given; returns how many ended. Every process reads the session on every request,
 * so they end at once everywhere.
 */
export function endSessionsOfUser(db: Executor, userId: number, keepSid?: string): Promise<number> {
  return deleteSessionsOfUser(db, userId, keepSid === undefined ? undefined : sessionIdHash(keepSid));
}

/** Removes expired sessions (a cron job, see src/domain/jobs); returns how many. */
export function purgeExpiredSessions(db: Db): Promise<number> {
  return deleteExpiredSessions(db);
}
