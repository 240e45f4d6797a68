import type pg from 'pg';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { LoginThrottle } from './domain/auth/throttle.ts';
import { SAML_REQUEST_VALIDITY_MS, type IdentityProvider, type SamlIdentityProvider, type SamlRequestLedger } from './domain/auth/single-sign-on.ts';
import { oidcIdentityProvider } from './adapters/oidc.ts';
import { samlEndpoints, samlIdentityProvider } from './adapters/saml.ts';
import { findSamlRequest, saveSamlRequest, takeSamlRequest } from './db/repositories/saml-requests.ts';
import { publicBaseUrl } from './domain/public-url.ts';
import { ApiRateLimit } from './domain/tokens/rate-limit.ts';
import type { PdfRenderer } from './domain/pdf/renderer.ts';
import { systemClock, type Clock } from './domain/time.ts';
import type { Jobs } from './domain/jobs/jobs.ts';
import type { Mailer } from './domain/mail/mailer.ts';
import type { Logger } from './logger.ts';
import { imapMailboxConnector } from './adapters/imap-mailbox.ts';
import { httpFeedFetcher } from './adapters/http-feed.ts';
import type { MailboxConnector } from './domain/intake/mailbox.ts';
import type { FeedFetcher } from './domain/intake/feed-watch.ts';

/** Everything a request handler or service may need, built once at boot. */
export interface AppDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  logger: Logger;
  clock: Clock;
  throttle: LoginThrottle;
  /** API requests per key and minute (API_REQUESTS_PER_MINUTE). */
  apiRateLimit: ApiRateLimit;
  /** One Chromium for the whole process (src/adapters/chromium-pdf.ts); closed on shutdown. */
  pdf: PdfRenderer;
  /** Outgoing mail (src/adapters/smtp-mailer.ts). */
  mailer: Mailer;
  /** Background jobs: reminders, mails and their retries (src/adapters/pg-boss-jobs.ts). */
  jobs: Jobs;
  /** The councils' intake mailboxes over IMAP (src/adapters/imap-mailbox.ts). */
  mailboxes: MailboxConnector;
  /** Watched feeds over HTTP (src/adapters/http-feed.ts). */
  feeds: FeedFetcher;
  /** The municipality's login (src/adapters/oidc.ts), when OIDC_* is set. */
  identityProvider?: IdentityProvider;
  /** The municipality's SAML login (src/adapters/saml.ts), when SAML_* is set. */
  samlProvider?: SamlIdentityProvider;
}

/** The SAML requests sent and not yet answered, in PostgreSQL so every process sees them. */
export function samlRequestLedger(db: Db): SamlRequestLedger {
  return {
    save: (id, issuedAt) => saveSamlRequest(db, id, issuedAt, SAML_REQUEST_VALIDITY_MS),
    find: (id) => findSamlRequest(db, id, SAML_REQUEST_VALIDITY_MS),
    take: (id) => takeSamlRequest(db, id),
  };
}

/** The infrastructure the process starts and stops itself (src/adapters); tests pass fakes. */
export type Adapters = Pick<AppDeps, 'pdf' | 'mailer' | 'jobs'>;

/**
 * The dependencies every app process has over an open database: the system clock, login
 * throttling in PostgreSQL, the API's rate limit, and the adapters the caller started (PDF renderer, mailer, jobs).
 */
export function createAppDeps(config: Config, database: { db: Db; pool: pg.Pool }, logger: Logger, adapters: Adapters): AppDeps {
  return {
    config,
    db: database.db,
    pool: database.pool,
    logger,
    clock: systemClock,
    throttle: new LoginThrottle(database.pool),
    apiRateLimit: new ApiRateLimit(config.apiRequestsPerMinute),
    // Without a connection of their own to start or stop: each poll opens and closes its own.
    mailboxes: imapMailboxConnector(),
    feeds: httpFeedFetcher(),
    ...(config.oidc ? { identityProvider: oidcIdentityProvider(config.oidc) } : {}),
    ...(config.saml ? { samlProvider: samlIdentityProvider(config.saml, samlEndpoints(publicBaseUrl(config)), samlRequestLedger(database.db)) } : {}),
    ...adapters,
  };
}
