import { randomBytes } from 'node:crypto';
import type { DataVersions } from '../../db/change-feed.ts';
import type { Db, Executor } from '../../db/database.ts';
import { VersionedCache } from '../../db/versioned-cache.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findSessionJson,
  saveSession,
  touchSession,
} from '../../db/repositories/sessions.ts';
import type { Logger } from '../../logger.ts';
import { sha256Hex } from './digest.ts';

/** A session ends after this long without a request. */
const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** A request moves the expiry in the database at most this often per session and process. */
const TOUCH_INTERVAL_MS = 60_000;
/** A cached copy is used for this long at most, so an expiry set elsewhere is seen within it. */
const SESSION_CACHE_TTL_MS = 60_000;

/** A new session id: 192 random bits, URL-safe. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * What the database knows a session by: the SHA-256 of its id, so the table, its backups and the
 * change notifications (`session:<hash>`) hold nothing that logs anyone in.
 */
export function sessionIdHash(sid: string): string {
  return sha256Hex(sid);
}

export interface SessionStoreDeps {
  db: Db;
  versions: DataVersions;
  logger: Logger;
}

/**
 * Login sessions in PostgreSQL (table `session`, keyed by {@link sessionIdHash}), so any app
 * process can serve any request. Session data is kept and compared as JSON text.
 *
 * Every request of a signed-in user reads its session, and the data changes seldom (login, the
 * CSRF token, logout), so reads are cached per process: a copy is used only while the change
 * notifications say the row's data is untouched (a logout in any process removes it at once), and
 * for at most SESSION_CACHE_TTL_MS. The expiry is moved at most once a minute per session and
 * process, and nobody waits for that write.
 */
export class SessionStore {
  readonly #cache: VersionedCache<string, string>;
  readonly #touchedAt = new Map<string, number>();
  readonly #idleSeconds = SESSION_IDLE_MS / 1000;

  constructor(private readonly deps: SessionStoreDeps) {
    this.#cache = new VersionedCache(deps.versions, { max: 20_000, ttlMs: SESSION_CACHE_TTL_MS });
  }

  /** The session's data from this process's cache when it is known to be current; else undefined. */
  cached(sid: string): string | undefined {
    return this.#cache.peek(sid, `session:${sessionIdHash(sid)}`);
  }

  /** The session's data, from the cache or the database; undefined when there is none or it has expired. */
  load(sid: string): Promise<string | undefined> {
    const hash = sessionIdHash(sid);
    return this.#cache.get(sid, `session:${hash}`, () => findSessionJson(this.deps.db, hash));
  }

  /** Writes the session's data and moves its expiry. */
  async save(sid: string, json: string): Promise<void> {
    this.#cache.delete(sid);
    await saveSession(this.deps.db, sessionIdHash(sid), json, this.#idleSeconds);
    this.#noteTouch(sid);
  }

  /** Moves the session's expiry, unless this process did so within the last minute. */
  touch(sid: string): void {
    const last = this.#touchedAt.get(sid);
    if (last !== undefined && Date.now() - last < TOUCH_INTERVAL_MS) return;
    this.#noteTouch(sid);
    touchSession(this.deps.db, sessionIdHash(sid), this.#idleSeconds).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'session expiry not moved');
    });
  }

  /** Removes the session in every process (see the change notifications). */
  async destroy(sid: string): Promise<void> {
    this.#cache.delete(sid);
    this.#touchedAt.delete(sid);
    await deleteSession(this.deps.db, sessionIdHash(sid));
  }

  #noteTouch(sid: string): void {
    // A crude bound on memory: forgetting only means one extra UPDATE per active session.
    if (this.#touchedAt.size >= 50_000) this.#touchedAt.clear();
    this.#touchedAt.set(sid, Date.now());
  }
}

/**
 * Ends every session of `userId` in every process (after a password change or reset), except the
 * one with id `keepSid`, if given; returns how many ended.
 */
export function endSessionsOfUser(db: Executor, userId: number, keepSid?: string): Promise<number> {
  return deleteSessionsOfUser(db, userId, keepSid === undefined ? undefined : sessionIdHash(keepSid));
}

/** Removes expired sessions (a cron job, see src/domain/jobs); returns how many. */
export function purgeExpiredSessions(db: Db): Promise<number> {
  return deleteExpiredSessions(db);
}
