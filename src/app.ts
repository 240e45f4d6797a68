import compression from 'compression';
import express, { type Express } from 'express';
import helmet from 'helmet';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from './deps.ts';
import { configurePassport } from './http/passport.ts';
import { loadSessionActor, requireBearerToken } from './http/middleware/actor.ts';
import { csrfTokenForViews } from './http/middleware/csrf.ts';
import { errorHandler, notFoundHandler } from './http/middleware/errors.ts';
import { sessionMiddleware } from './http/middleware/session.ts';
import { configureViews } from './http/views.ts';
import { publicBaseUrl } from './domain/public-url.ts';
import { authRoutes } from './http/routes/auth.routes.ts';
import { ssoRoutes } from './http/routes/sso.routes.ts';
import { samlRoutes } from './http/routes/saml.routes.ts';
import { healthRoutes } from './http/routes/health.routes.ts';
import { queueRoutes } from './http/routes/queue.routes.ts';
import { consultationPageRoutes } from './http/routes/consultation-page.routes.ts';
import { consultationApiRoutes } from './http/routes/api/consultations.routes.ts';
import { openApiRoutes } from './http/routes/api/openapi.routes.ts';
import { archiveApiRoutes, archivePageRoutes } from './http/routes/archive.routes.ts';
import { calendarFeedRoutes } from './http/routes/calendar.routes.ts';
import { profileRoutes } from './http/routes/profile.routes.ts';
import { secondFactorRoutes } from './http/routes/second-factor.routes.ts';
import { passwordRoutes } from './http/routes/password.routes.ts';
import { unsubscribeRoutes } from './http/routes/unsubscribe.routes.ts';
import { voteRoutes } from './http/routes/vote.routes.ts';
import { meetingRoutes } from './http/routes/meetings.routes.ts';
import { agendaRoutes } from './http/routes/agenda.routes.ts';
import { handoverRoutes } from './http/routes/handover.routes.ts';
import { noticeRoutes } from './http/routes/notice.routes.ts';
import { minutesRoutes } from './http/routes/minutes.routes.ts';
import { registrationRoutes } from './http/routes/registration.routes.ts';
import { overviewRoutes } from './http/routes/overview.routes.ts';
import { subscriptionRoutes } from './http/routes/subscription.routes.ts';
import { annualReportRoutes } from './http/routes/annual-report.routes.ts';
import { publicRoutes } from './http/routes/public.routes.ts';
import { searchRoutes } from './http/routes/search.routes.ts';
import { searchApiRoutes } from './http/routes/api/search.routes.ts';
import { requestLogging } from './http/middleware/request-log.ts';
import { navLinks } from './http/middleware/nav.ts';
import { adminRoutes } from './http/routes/admin.routes.ts';
import { intakeRoutes } from './http/routes/intake.routes.ts';
import { FORM_BODY_LIMIT_BYTES, JSON_BODY_LIMIT_BYTES } from './http/body-limits.ts';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');

/** The Express app: web pages with sessions and CSRF, and the JSON API with bearer tokens. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Only a proxy named in TRUST_PROXY may tell the client's address (the login throttle counts by
  // it) and protocol; by default X-Forwarded-* headers are ignored.
  app.set('trust proxy', deps.config.trustProxy);
  configureViews(app);
  app.locals.accessibilityStatementUrl = deps.config.accessibilityStatementUrl;
  app.locals.publicBaseUrl = publicBaseUrl(deps.config);

  app.use(requestLogging(deps.logger, { ignore: (path) => path === '/healthz' }));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: deps.config.nodeEnv === 'production' ? [] : null,
        },
      },
      strictTransportSecurity: deps.config.nodeEnv === 'production',
    }),
  );
  app.use('/static', express.static(publicDir, { maxAge: '1h', index: false }));
  // Pages and JSON go out compressed. Not the static files (served above, with their Range
  // support) nor a file download (Content-Disposition: a stored document or a PDF), which keeps its
  // Content-Length and streams a slice at a time; nor a calendar feed (its Content-Disposition too),
  // whose gzip cost as much server CPU as it saved in writing (BENCHMARKS.md, "feed").
  app.use(compression({ filter: (req, res) => !res.hasHeader('Content-Disposition') && compression.filter(req, res) }));
  app.use(healthRoutes(deps));
  app.use(calendarFeedRoutes(deps));

  app.use('/api', express.json({ limit: JSON_BODY_LIMIT_BYTES }));
  app.use('/api', openApiRoutes(deps));
  app.use('/api/v1', archiveApiRoutes(deps));
  app.use('/api/v1', requireBearerToken(deps), consultationApiRoutes(deps), searchApiRoutes(deps));

  app.use(express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT_BYTES }));
  app.use(sessionMiddleware(deps));
  configurePassport(deps);
  app.use(loadSessionActor(deps));
  app.use(csrfTokenForViews);
  app.use(navLinks);
  // The start page first: it is the page everyone reloads.
  app.use(queueRoutes(deps));
  app.use(authRoutes(deps));
  app.use(ssoRoutes(deps));
  app.use(samlRoutes(deps));
  app.use(passwordRoutes(deps));
  app.use(unsubscribeRoutes(deps));
  app.use(voteRoutes(deps));
  app.use(registrationRoutes(deps));
  app.use(overviewRoutes(deps));
  app.use(publicRoutes(deps));
  app.use(subscriptionRoutes(deps));
  app.use(searchRoutes(deps));
  app.use(consultationPageRoutes(deps));
  app.use(intakeRoutes(deps));
  app.use(archivePageRoutes(deps));
  app.use(profileRoutes(deps));
  app.use(secondFactorRoutes(deps));
  app.use(meetingRoutes(deps));
  app.use(agendaRoutes(deps));
  app.use(handoverRoutes(deps));
  app.use(noticeRoutes(deps));
  app.use(annualReportRoutes(deps));
  app.use(minutesRoutes(deps));
  app.use('/admin', adminRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
