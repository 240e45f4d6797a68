import { csrfSync } from 'csrf-sync';
import type { RequestHandler } from 'express';

// Synchronizer tokens kept in the session; forms send them in the `_csrf` field.
const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined),
});

/** Rejects a state-changing request without the session's CSRF token. */
export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/** Makes the CSRF token available to every view as `csrfToken`. */
export const csrfTokenForViews: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = generateToken(req);
  next();
};
