import type { Request, RequestHandler } from 'express';
import session, { Store, type SessionData } from 'express-session';
import { LRUCache } from 'lru-cache';
import type { AppDeps } from '../../deps.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { moveSessionExpiry, newSessionId, readSessionWithActor, removeSession, writeSession } from '../../domain/auth/sessions.ts';

const COOKIE_NAME = 'raadssvar.sid';

/** A request moves a session's expiry in the database at most this often per session and process. */
const TOUCH_INTERVAL_MS = 60_000;

declare module 'express-session' {
  interface SessionData {
    /** Passport's part: the logged-in user's id (see src/http/passport.ts). */
    passport?: { user?: number };
    /** Set when this login passed the second factor (or set one up); see secondFactorGate. */
    passedSecondFactor?: boolean;
    /** 'sso': this login came from the municipality's login. */
    signedInWith?: 'sso';
    /** The provider's ID token of an SSO login, for its logout. */
    ssoIdToken?: string;
    /** The subject and session of a SAML login, for its SingleLogout at the provider. */
    samlSession?: { nameId: string; nameIdFormat: string; sessionIndex: string | undefined };
    /** An SSO login under way: state, nonce and PKCE verifier until the provider sends the browser back. */
    pendingSignOn?: { state: string; nonce: string; codeVerifier: string; next: string };
    /** A password login waiting for its second step: whose, where to go after, until when (epoch ms). */
    pendingSecondFactor?: { userId: number; next: string; until: number };
  }
}

type Callback = (error?: unknown) => void;

/** Who a session was logged in as when it was read, and their actor (undefined: gone or disabled). */
interface SessionUser {
  userId: number;
  actor: Actor | undefined;
}

/** The user read with each session's data, from the store's read until express-session makes the request's session of it. */
const usersOfReadSessions = new WeakMap<object, SessionUser>();
/** The user read with the request's session, for loadSessionActor. */
const usersOfRequests = new WeakMap<Request, SessionUser>();

/**
 * The actor read together with this request's session, when the session is still logged in as
 * `userId`; undefined when the session was read without a user or has changed hands since (a
 * login, a logout), so that the caller reads the actor itself.
 */
export function actorReadWithSession(req: Request, userId: number): { actor: Actor | undefined } | undefined {
  const read = usersOfRequests.get(req);
  return read && read.userId === userId ? { actor: read.actor } : undefined;
}

/**
 * express-session's store over the `session` table (src/domain/auth/sessions.ts, which keys rows
 * by the SHA-256 of the id): one indexed read per request of a visitor with a session. The cookie
 * is not stored: its settings come from the configuration on every request, so the stored data
 * is only what the app put in the session.
 */
class PostgresSessionStore extends Store {
  /** Sessions whose expiry this process moved within TOUCH_INTERVAL_MS. */
  readonly #touched = new LRUCache<string, true>({ max: 50_000, ttl: TOUCH_INTERVAL_MS });

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'logger'>,
    private readonly cookie: session.CookieOptions,
  ) {
    super();
  }

  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    readSessionWithActor(this.deps.db, sid).then(
      (found) => {
        if (found === undefined) return callback(null, null);
        const data = { ...found.data, cookie: { ...this.cookie } } as SessionData;
        if (found.userId !== undefined) usersOfReadSessions.set(data, { userId: found.userId, actor: found.actor });
        callback(null, data);
      },
      (error: unknown) => callback(error),
    );
  }

  /** express-session's own, plus handing the user read with the session on to the request. */
  override createSession(req: Request, data: SessionData): session.Session & Partial<SessionData> {
    const user = usersOfReadSessions.get(data);
    if (user) usersOfRequests.set(req, user);
    return super.createSession(req, data);
  }

  override set(sid: string, data: SessionData, callback?: Callback): void {
    const { cookie: _cookie, ...stored } = data;
    writeSession(this.deps.db, sid, stored).then(
      () => {
        this.#touched.set(sid, true);
        callback?.();
      },
      (error: unknown) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#touched.delete(sid);
    removeSession(this.deps.db, sid).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  /** Moves the expiry of an unchanged session, at most once a minute; nobody waits for that write. */
  override touch(sid: string, _data: SessionData, callback?: Callback): void {
    callback?.();
    if (this.#touched.has(sid)) return;
    this.#touched.set(sid, true);
    moveSessionExpiry(this.deps.db, sid).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'session expiry not moved'));
  }
}

/**
 * Login sessions (express-session) kept in PostgreSQL, shared by every app process. The cookie
 * holds only the session id, signed with SESSION_SECRET; it has no expiry of its own (it ends
 * with the browser, the session after eight idle hours) and is Secure in production. A session
 * is stored only once it holds something (the login form's CSRF token, a login).
 */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const cookie: session.CookieOptions = { httpOnly: true, sameSite: 'lax', secure: deps.config.nodeEnv === 'production', path: '/' };
  return session({
    name: COOKIE_NAME,
    secret: deps.config.sessionSecret,
    store: new PostgresSessionStore(deps, cookie),
    cookie,
    genid: newSessionId,
    resave: false,
    saveUninitialized: false,
  });
}
