import { csrfSync } from 'csrf-sync';
import type { RequestHandler } from 'express';

// Synchronizer tokens kept in the session; forms send them in the `_csrf` field.
const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? (req.headers['x-csrf-token'] as string | undefined),
});

/** Rejects a state-changing request without the session's CSRF token. */
export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/**
 * Makes the session's CSRF token available to every view as `csrfToken`, for a logged-in visitor
 * (every page may carry a form, if only the logout) and for a session that already holds one
 * (a login form shown again). A new token is kept in the session, and a session is stored only
 * when it holds something: so an anonymous visitor's 404 or status page stores nothing, and a
 * page with a form for anonymous visitors asks for its token with {@link csrfTokenForForm}.
 */
export const csrfTokenForViews: RequestHandler = (req, res, next) => {
  if (res.locals.actor || req.session?.csrfToken) res.locals.csrfToken = generateToken(req);
  next();
};

/** A page whose form anonymous visitors post (login, password reset): gives it a CSRF token, which stores the session. */
export const csrfTokenForForm: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = generateToken(req);
  next();
};
