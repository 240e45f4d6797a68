import type { Request } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticate } from '../domain/auth/service.ts';
import type { AppDeps } from '../deps.ts';

/**
 * Passport with the local (e-mail and password) strategy, for the login; the session holds only
 * the user id, which pages read with {@link sessionUserId}.
 */
export function configurePassport(deps: AppDeps): void {
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
      authenticate(deps, { email, password, address: req.ip ?? 'unknown' }).then(
        (userId) => done(null, { id: userId }),
        (error) => done(error),
      );
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as { id: number }).id));
}

/**
 * The id of the user logged in on this request's session, or undefined. Passport's session
 * support keeps the serialised user (here: the id, see serializeUser) at `session.passport.user`;
 * reading it here spares every page request passport's per-request middleware, which only the
 * login needs.
 */
export function sessionUserId(req: Request): number | undefined {
  // A destroyed session leaves the request without one.
  const user: unknown = (req.session as Request['session'] | undefined)?.passport?.user;
  return typeof user === 'number' ? user : undefined;
}
