import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps.ts';

/** Sessions kept in PostgreSQL, so any app process can serve any request. */
export function sessionMiddleware(deps: AppDeps): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    name: 'raadssvar.sid',
    store: new PgStore({ pool: deps.pool, tableName: 'session', pruneSessionInterval: 15 * 60 }),
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
