import { Router, type NextFunction, type Request, type Response } from 'express';
import type { SessionData } from 'express-session';
import type { AppDeps } from '../../deps.ts';
import { SignOnRejected, userForIdentity } from '../../domain/auth/single-sign-on.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { loginQuery } from './auth.schemas.ts';
import { renderLogin } from './auth.routes.ts';

const CALLBACK_PATH = '/login/sso/callback';

/** The address the provider sends the browser back to, as registered with it (from PUBLIC_URL, never from the request's Host). */
const redirectUri = (deps: AppDeps) => `${publicBaseUrl(deps.config)}${CALLBACK_PATH}`;

/**
 * A new session (as after a password login) signed in by the municipality's login, with what its
 * logout at the provider needs, and off to `after`.
 */
export function startSignedOnSession(
  req: Request,
  res: Response,
  next: NextFunction,
  userId: number,
  logout: Pick<SessionData, 'ssoIdToken' | 'samlSession'>,
  after: string,
): void {
  req.session.regenerate((error: unknown) => {
    if (error) return next(error);
    req.session.passport = { user: userId };
    req.session.signedInWith = 'sso';
    Object.assign(req.session, logout);
    req.session.save((saveError: unknown) => (saveError ? next(saveError) : res.redirect(303, after)));
  });
}

/**
 * A refused answer of the municipality's login, on the login page with the reason in Danish (the
 * detail in the log, never a token or an assertion); anything else is rethrown to the error handler.
 */
export function refuseSignOn(deps: AppDeps, res: Response, error: unknown, protocol: 'OpenID Connect' | 'SAML'): void {
  if (error instanceof SignOnRejected) {
    deps.logger.warn({ reason: error.message, protocol }, 'single sign-on answer refused');
    return renderLogin(deps, res, { error: 'Svaret fra kommunens login kunne ikke godkendes. Prøv igen.' }, 401);
  }
  if (error instanceof AppError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')) {
    deps.logger.info({ reason: error.message, protocol }, 'single sign-on person refused');
    return renderLogin(deps, res, { error: error.message }, error.httpStatus);
  }
  throw error;
}

/**
 * The municipality's login (OpenID Connect): off to the provider with state, nonce and a PKCE
 * challenge kept in the session, and back: the answer checked, the person found by their verified
 * e-mail, and a new session logged in as them. Every refusal is the login page with the reason
 * in Danish (and in the log, without any token); none is a 5xx.
 */
export function ssoRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/login/sso', async (req: Request, res: Response, next: NextFunction) => {
    const provider = deps.identityProvider;
    if (!provider) throw notFound();
    const after = loginQuery.parse(req.query).next;
    let start: Awaited<ReturnType<typeof provider.startSignOn>>;
    try {
      start = await provider.startSignOn(redirectUri(deps), after);
    } catch (error) {
      deps.logger.warn({ err: error }, 'identity provider unavailable');
      return renderLogin(deps, res, { error: 'Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller log ind med adgangskode.' }, 503);
    }
    req.session.pendingSignOn = start.pending;
    req.session.save((error: unknown) => (error ? next(error) : res.redirect(303, start.url)));
  });
  router.get(CALLBACK_PATH, async (req: Request, res: Response, next: NextFunction) => {
    const provider = deps.identityProvider;
    if (!provider) throw notFound();
    const pending = req.session.pendingSignOn;
    delete req.session.pendingSignOn;
    if (!pending) return renderLogin(deps, res, { error: 'Login med kommunens login blev ikke gennemført. Prøv igen.' }, 400);
    if (typeof req.query.error === 'string') {
      deps.logger.info({ reason: req.query.error.slice(0, 100) }, 'single sign-on cancelled at the provider');
      return renderLogin(deps, res, { error: 'Login hos kommunen blev afbrudt. Prøv igen.' }, 401);
    }
    try {
      const identity = await provider.finishSignOn(new URL(req.originalUrl, publicBaseUrl(deps.config)), pending);
      const userId = await userForIdentity(deps, identity);
      startSignedOnSession(req, res, next, userId, { ssoIdToken: identity.idToken }, pending.next);
    } catch (error) {
      refuseSignOn(deps, res, error, 'OpenID Connect');
    }
  });
  return router;
}
