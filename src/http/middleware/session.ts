import connectPgSimple from 'connect-pg-simple';
import { LRUCache } from 'lru-cache';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps.ts';

const TOUCH_INTERVAL_MS = 60_000;
const SESSION_CACHE_TTL_MS = 60_000;
/** A session ends after this long without a request. */
const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;


/** Sessions kept in PostgreSQL, so any app process can serve any request. */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const PgStore = connectPgSimple(session);
  const versions = deps.versions;
  /**
   * A session ends after SESSION_IDLE_MS without a request (or when the browser closes: the cookie
   * has no expiry of its own). express-session touches the row on every request to move that
   * expiry, and waits for the UPDATE (a committed write) before it ends the response. One write
   * per session per minute and process is plenty for an 8-hour expiry, so the rest are skipped.
   *
   * Reads are cached per process: every request of a signed-in user reads the session, and it
   * changes seldom (login, CSRF token, logout). A copy is used only while the change
   * notifications say the row's data is untouched (a logout in any process removes it at once)
   * and for at most SESSION_CACHE_TTL_MS, so an expiry set elsewhere is seen within that time.
   */
  class CachingStore extends PgStore {
    #touchedAt = new Map<string, number>();
    #cache = new LRUCache<string, { json: string; token: string }>({ max: 20_000, ttl: SESSION_CACHE_TTL_MS });

    override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
      const token = versions.token([`session:${sid}`]);
      const hit = token === null ? undefined : this.#cache.get(sid);
      // A fresh object each time: express-session changes the one it is given.
      if (hit && hit.token === token) return callback(null, JSON.parse(hit.json) as session.SessionData);
      super.get(sid, (err: unknown, data?: session.SessionData | null) => {
        if (!err && data && token !== null) this.#cache.set(sid, { json: JSON.stringify(data), token });
        callback(err, data);
      });
    }

    override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
      this.#cache.delete(sid);
      super.set(sid, data, callback);
    }

    override destroy(sid: string, callback?: (err?: unknown) => void): void {
      this.#cache.delete(sid);
      super.destroy(sid, callback);
    }

    override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
      const now = Date.now();
      const last = this.#touchedAt.get(sid);
      if (last !== undefined && now - last < TOUCH_INTERVAL_MS) {
        callback?.();
        return;
      }
      // A crude bound on memory: forgetting only means one extra UPDATE per active session.
      if (this.#touchedAt.size >= 50_000) this.#touchedAt.clear();
      this.#touchedAt.set(sid, now);
      super.touch(sid, sess, callback);
    }
  }
  return session({
    name: 'raadssvar.sid',
    store: new CachingStore({ pool: deps.pool, tableName: 'session', ttl: SESSION_IDLE_MS / 1000, pruneSessionInterval: 15 * 60 }),
    secret: deps.config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    // The expiry lives in the database row (moved by every touch), not in the cookie: so the cookie
    // is set once at login instead of signed and sent again with every answer.
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.nodeEnv === 'production',
    },
  });
}
