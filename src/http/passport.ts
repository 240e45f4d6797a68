import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticate } from '../domain/auth/service.ts';
import type { AppDeps } from '../deps.ts';

/** Passport with the local (e-mail and password) strategy; the session holds only the user id. */
export function configurePassport(deps: AppDeps): passport.PassportStatic {
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
      authenticate(deps, { email, password, address: req.ip ?? 'unknown' }).then(
        (userId) => done(null, { id: userId }),
        (error) => done(error),
      );
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as { id: number }).id));
  passport.deserializeUser((id: number, done) => done(null, { id }));
  return passport;
}
