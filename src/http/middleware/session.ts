import { parse as parseCookies } from 'cookie';
import { sign, unsign } from 'cookie-signature';
import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { AppDeps } from '../../deps.ts';
import { newSessionId, SessionStore } from '../../domain/auth/sessions.ts';

const COOKIE_NAME = 'raadssvar.sid';

/** What the app keeps in a session. */
export interface SessionData {
  /** Passport's part: the logged-in user's id (see src/http/passport.ts). */
  passport?: { user?: number };
  /** The CSRF token of the session's forms (csrf-sync). */
  csrfToken?: string;
}

/**
 * The session of a request: its data as own properties, and the methods passport (login) and
 * csrf-sync expect of express-session's sessions.
 */
export interface Session extends SessionData {
  /** Replaces the session with a new, empty one under a new id, removing the old one. */
  regenerate(callback: (error?: unknown) => void): void;
  /** Writes the session now (it is otherwise written when the response ends). */
  save(callback?: (error?: unknown) => void): void;
  /** Removes the session; the request has none afterwards. */
  destroy(callback: (error?: unknown) => void): void;
}

declare global {
  namespace Express {
    interface Request {
      session: Session;
      /** The id of the request's session (a new one when the request brought none). */
      sessionID: string;
    }
  }
}

/** Where a session finds its request's bookkeeping; a symbol, so JSON.stringify leaves it out. */
const CONTEXT = Symbol('session context');
const CONTEXT_OF_RESPONSE = Symbol('session context');

interface SessionSettings {
  store: SessionStore;
  secret: string;
  secure: boolean;
  logger: AppDeps['logger'];
}

/**
 * One request's session bookkeeping. The methods live on classes rather than in closures made per
 * request: this runs on every request, and the page everyone reloads should allocate little.
 */
class SessionContext {
  /** The data as stored under `sid`; undefined while nothing is stored. */
  storedJson: string | undefined;
  /** The response's own end(), called once the session is written. */
  end: Response['end'];

  constructor(
    readonly settings: SessionSettings,
    readonly req: Request,
    readonly res: Response,
    public sid: string,
    storedJson: string | undefined,
    /** The session id the request's cookie carried, if its signature held. */
    readonly cookieSid: string | undefined,
  ) {
    this.storedJson = storedJson;
    this.end = res.end;
  }

  /** Gives the request its session, and the response an end() that writes the session first. */
  attach(): void {
    this.req.sessionID = this.sid;
    this.req.session = RequestSession.of(this, this.storedJson === undefined ? {} : (JSON.parse(this.storedJson) as SessionData));
    (this.res as ResponseWithSession)[CONTEXT_OF_RESPONSE] = this;
    this.res.end = endAfterSession as Response['end'];
  }

  regenerate(callback: (error?: unknown) => void): void {
    const old = this.storedJson === undefined ? Promise.resolve() : this.settings.store.destroy(this.sid);
    old.then(() => {
      this.sid = newSessionId();
      this.storedJson = undefined;
      this.req.sessionID = this.sid;
      this.req.session = RequestSession.of(this, {});
      callback();
    }, callback);
  }

  save(callback?: (error?: unknown) => void): void {
    const json = JSON.stringify(this.req.session);
    this.settings.store.save(this.sid, json).then(() => {
      this.storedJson = json;
      callback?.();
    }, (error: unknown) => callback?.(error));
  }

  destroy(callback: (error?: unknown) => void): void {
    this.settings.store.destroy(this.sid).then(() => {
      // Without a session, nothing is written when the response ends.
      (this.req as { session?: Session }).session = undefined;
      callback();
    }, callback);
  }

  /** Stores the session if its data changed, sets the cookie of a newly stored one, touches the rest. */
  write(): Promise<void> | undefined {
    const session = (this.req as { session?: Session }).session;
    if (!session) return undefined;
    const json = JSON.stringify(session);
    const stored = this.storedJson !== undefined;
    const changed = json !== this.storedJson && (stored || json !== '{}');
    const { store, secret, secure } = this.settings;
    // A Secure cookie is only set over HTTPS (directly or behind a trusted proxy).
    if ((stored || changed) && this.sid !== this.cookieSid && !this.res.headersSent && (!secure || this.req.secure)) {
      this.res.cookie(COOKIE_NAME, `s:${sign(this.sid, secret)}`, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    }
    if (changed) {
      return store.save(this.sid, json).then(() => {
        this.storedJson = json;
      });
    }
    if (stored) store.touch(this.sid);
    return undefined;
  }
}

type ResponseWithSession = Response & { [CONTEXT_OF_RESPONSE]: SessionContext };

/** A request's session: the data as own properties, the methods from its SessionContext. */
class RequestSession {
  declare [CONTEXT]: SessionContext;

  static of(context: SessionContext, data: SessionData): Session {
    const session = new RequestSession();
    session[CONTEXT] = context;
    return Object.assign(session, data) as unknown as Session;
  }

  regenerate(callback: (error?: unknown) => void): void {
    this[CONTEXT].regenerate(callback);
  }

  save(callback?: (error?: unknown) => void): void {
    this[CONTEXT].save(callback);
  }

  destroy(callback: (error?: unknown) => void): void {
    this[CONTEXT].destroy(callback);
  }
}

/** The response's end(), put in place by SessionContext: writes the session first. */
function endAfterSession(this: ResponseWithSession, ...args: unknown[]): Response {
  const context = this[CONTEXT_OF_RESPONSE];
  const end = context.end as (...endArgs: unknown[]) => Response;
  (this as Response).end = context.end;
  const written = context.write();
  if (!written) return end.apply(this, args);
  // The next request (a redirect's target) must find what this one stored.
  written.then(
    () => end.apply(this, args),
    (error: unknown) => {
      context.settings.logger.error({ err: error, reqId: this.locals.requestId }, 'session not saved');
      end.apply(this, args);
    },
  );
  return this;
}

/**
 * Login sessions kept in PostgreSQL (SessionStore), shared by every app process. The cookie holds
 * only the session id, signed (HMAC-SHA256, cookie-signature, in express-session's format, so
 * sessions from before carry over); it has no expiry of its own (it ends with the browser) and is
 * set only when a session is first stored. A session's data is written when the response ends,
 * only if it changed, and a session that never held anything is never stored.
 *
 * Written here rather than with express-session, whose per-request work (three SHA-1 hashes of
 * the session, the signature checked by two more hashes, a Session and a Cookie object, wrapped
 * response methods) cost the queue page, the page everyone reloads, more than anything else but
 * the socket write (BENCHMARKS.md). Here a signature once checked is remembered, the stored JSON
 * text is compared as a string, and a request whose session is cached does no I/O.
 */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const settings: SessionSettings = {
    store: new SessionStore(deps),
    secret: deps.config.sessionSecret,
    secure: deps.config.nodeEnv === 'production',
    logger: deps.logger,
  };
  // Signed cookie value → session id, for values whose signature has been checked. A hit is an
  // exact match of a string this secret signed, so it proves what the HMAC would.
  const verified = new LRUCache<string, string>({ max: 50_000 });

  const sessionIdFromCookie = (req: Request): string | undefined => {
    const header = req.headers.cookie;
    if (!header || !header.includes(COOKIE_NAME)) return undefined;
    const value = parseCookies(header)[COOKIE_NAME];
    if (!value?.startsWith('s:')) return undefined;
    const known = verified.get(value);
    if (known !== undefined) return known;
    const sid = unsign(value.slice(2), settings.secret);
    if (sid === false) return undefined;
    verified.set(value, sid);
    return sid;
  };

  return (req, res, next) => {
    const cookieSid = sessionIdFromCookie(req);
    if (cookieSid === undefined) {
      new SessionContext(settings, req, res, newSessionId(), undefined, undefined).attach();
      return next();
    }
    const json = settings.store.cached(cookieSid);
    if (json !== undefined) {
      new SessionContext(settings, req, res, cookieSid, json, cookieSid).attach();
      return next();
    }
    settings.store.load(cookieSid).then((loaded) => {
      // An unknown or expired id gets a new session: an id is never taken from the client.
      const context =
        loaded === undefined
          ? new SessionContext(settings, req, res, newSessionId(), undefined, cookieSid)
          : new SessionContext(settings, req, res, cookieSid, loaded, cookieSid);
      context.attach();
      next();
    }, next);
  };
}
