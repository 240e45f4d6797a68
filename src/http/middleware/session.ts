import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps.ts';

const TOUCH_INTERVAL_MS = 60_000;

/** Sessions kept in PostgreSQL, so any app process can serve any request. */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const PgStore = connectPgSimple(session);
  /**
   * With `rolling`, express-session extends a session's expiry on every request and waits for
   * that UPDATE (a committed write) before it ends the response. One write per session per
   * minute and process is plenty for an 8-hour expiry, so the rest are skipped.
   */
  class ThrottledTouchStore extends PgStore {
    #touchedAt = new Map<string, number>();
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
    store: new ThrottledTouchStore({ pool: deps.pool, tableName: 'session', pruneSessionInterval: 15 * 60 }),
    secret: deps.config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.nodeEnv === 'production',
      maxAge: 8 * 60 * 60 * 1000,
    },
  });
}
