import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { SignOnRejected, userForIdentity } from '../../domain/auth/single-sign-on.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { loginQuery } from './auth.schemas.ts';

const CALLBACK_PATH = '/login/sso/callback';

function loginPageWith(res: Response, error: string, status: number): void {
  const label = res.locals.identityProviderLabel;
  res.status(status).render('pages/login', {
    title: 'Log ind',
    values: {},
    error,
    hideNav: true,
    ssoLabel: label,
    ssoHref: label ? '/login/sso' : undefined,
  });
}

/** The address the provider sends the browser back to, as registered with it (from PUBLIC_URL, never from the request's Host). */
const redirectUri = (deps: AppDeps) => `${publicBaseUrl(deps.config)}${CALLBACK_PATH}`;

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
      return loginPageWith(res, 'Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller log ind med adgangskode.', 503);
    }
    req.session.pendingSignOn = start.pending;
    req.session.save((error: unknown) => (error ? next(error) : res.redirect(303, start.url)));
  });
  router.get(CALLBACK_PATH, async (req: Request, res: Response, next: NextFunction) => {
    const provider = deps.identityProvider;
    if (!provider) throw notFound();
    const pending = req.session.pendingSignOn;
    delete req.session.pendingSignOn;
    if (!pending) return loginPageWith(res, 'Login med kommunens login blev ikke gennemført. Prøv igen.', 400);
    if (typeof req.query.error === 'string') {
      deps.logger.info({ reason: req.query.error.slice(0, 100) }, 'single sign-on cancelled at the provider');
      return loginPageWith(res, 'Login hos kommunen blev afbrudt. Prøv igen.', 401);
    }
    let userId: number;
    try {
      const identity = await provider.finishSignOn(new URL(req.originalUrl, publicBaseUrl(deps.config)), pending);
      userId = await userForIdentity(deps, identity);
      req.session.regenerate((error: unknown) => {
        if (error) return next(error);
        req.session.passport = { user: userId };
        req.session.signedInWith = 'sso';
        req.session.ssoIdToken = identity.idToken;
        req.session.save((saveError: unknown) => (saveError ? next(saveError) : res.redirect(303, pending.next)));
      });
    } catch (error) {
      if (error instanceof SignOnRejected) {
        deps.logger.warn({ reason: error.message }, 'single sign-on answer refused');
        return loginPageWith(res, 'Svaret fra kommunens login kunne ikke godkendes. Prøv igen.', 401);
      }
      if (error instanceof AppError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')) {
        deps.logger.info({ reason: error.message }, 'single sign-on person refused');
        return loginPageWith(res, error.message, error.httpStatus);
      }
      throw error;
    }
  });
  return router;
}
