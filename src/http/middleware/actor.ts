import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { loadActor, type Actor } from '../../domain/access/actor.ts';
import { secondFactorGate } from '../../domain/auth/second-factor.ts';
import { AppError } from '../../domain/errors.ts';
import { hashToken, userIdForToken } from '../../domain/tokens/service.ts';
import type { AppDeps } from '../../deps.ts';
import { sessionUserId } from '../passport.ts';
import { actorReadWithSession } from './session.ts';

declare global {
  namespace Express {
    interface Locals {
      actor?: Actor;
      csrfToken?: string;
    }
  }
}

/**
 * Loads the logged-in user's roles for this request (session login). A session whose user can no
 * longer log in (disabled, deleted), or an administrator's that never passed the second factor,
 * is replaced by a fresh, anonymous one; an administrator without a second factor is sent to set
 * one up (secondFactorGate, src/domain/auth/second-factor.ts).
 */
export function loadSessionActor(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const userId = sessionUserId(req);
    if (userId === undefined) return next();
    // Usually read together with the session (one statement); after a login in this request, apart.
    const actor = (actorReadWithSession(req, userId) ?? { actor: await loadActor(deps.db, userId) }).actor;
    if (!actor) return req.session.regenerate((error: unknown) => next(error));
    const gate = secondFactorGate(actor, req.session);
    // A session of an administrator that never passed the second factor is no login.
    if (gate === 'sign-in-again') return req.session.regenerate((error: unknown) => next(error));
    res.locals.actor = actor;
    if (gate === 'open' || ENROLMENT_PATHS.has(req.path)) return next();
    // An administrator without a second factor sets one up before anything else.
    if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, SECOND_FACTOR_PAGE);
    next(new AppError('FORBIDDEN', 'Sæt totrinsbekræftelse op, før du gør andet'));
  };
}

const SECOND_FACTOR_PAGE = '/profile/second-factor';
/** What an administrator without a second factor may open: its set-up, and the logout. */
const ENROLMENT_PATHS = new Set([SECOND_FACTOR_PAGE, '/logout']);

/** Web pages: send a visitor who is not logged in to the login page. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.actor) return next();
  const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${back}`);
}

/** Web pages: only administrators. Others get the 404 that hides the page. */
export function requireAdmin(_req: Request, res: Response, next: NextFunction): void {
  if (res.locals.actor?.isAdmin) return next();
  next(new AppError('NOT_FOUND', 'Siden findes ikke'));
}

/** The API: `Authorization: Bearer <token>` or 401; 429 once the key has made API_REQUESTS_PER_MINUTE requests this minute. */
export function requireBearerToken(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    const userId = token ? await userIdForToken(deps.db, token) : undefined;
    const actor = userId !== undefined ? await loadActor(deps.db, userId) : undefined;
    if (!token || !actor) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="raadssvar"');
      return next(new AppError('UNAUTHENTICATED', 'Manglende eller ugyldig API-nøgle'));
    }
    // Counted per key (its hash: the plain key is kept nowhere), only once it is known to be valid.
    await deps.apiRateLimit.consume(hashToken(token));
    res.locals.actor = actor;
    next();
  };
}

/** The actor of a request that passed requireLogin or requireBearerToken. */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor;
  if (!actor) throw new AppError('UNAUTHENTICATED', 'Du er ikke logget ind');
  return actor;
}
