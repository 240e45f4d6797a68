import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import passport from 'passport';
import { AppError } from '../../domain/errors.ts';
import { csrfProtection, csrfTokenForForm } from '../middleware/csrf.ts';
import { parseInput } from '../../domain/validation.ts';
import { formError, typedFields } from '../forms.ts';
import { loginForm, loginQuery, safeNextPath } from './auth.schemas.ts';
import type { AppDeps } from '../../deps.ts';

import { needsSecondStep, verifySecondStep } from '../../domain/auth/second-factor.ts';
import { assertPasswordLoginAllowed } from '../../domain/auth/single-sign-on.ts';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { signOnButtons } from '../presenters/sign-on.ts';

/** The login page, with the buttons of the municipal logins and what was typed. */
export function renderLogin(deps: AppDeps, res: Response, values: { email?: string; next?: string; error?: string }, status = 200): void {
  res.status(status).render('pages/login', {
    title: 'Log ind',
    values,
    error: values.error,
    hideNav: true,
    signOnButtons: signOnButtons(deps, values.next),
  });
}

/** How long a password stays good for its second step. */
const SECOND_STEP_MS = 10 * 60_000;

function renderSecondStep(res: Response, state: { error?: string; typed?: string } = {}, status = 200): void {
  res.status(status).render('pages/login-second-factor', { title: 'Totrinsbekræftelse', error: state.error, hideNav: true });
}

/**
 * After the password: an administrator with a second factor is not logged in yet. The session
 * (new, like a login's) only remembers whose password was right, for the second step.
 */
function toSecondStep(req: Request, res: Response, next: NextFunction, userId: number, after: string): void {
  req.session.regenerate((error: unknown) => {
    if (error) return next(error);
    req.session.pendingSecondFactor = { userId, next: after, until: Date.now() + SECOND_STEP_MS };
    res.redirect(303, '/login/second-factor');
  });
}

function logIn(deps: AppDeps, req: Request, res: Response, next: NextFunction): void {
  let form: ReturnType<typeof loginForm.parse>;
  try {
    form = parseInput(loginForm, req.body ?? {});
  } catch (error) {
    const refused = formError(error);
    const typed = typedFields(req.body);
    const message = refused.details.map((d) => d.message).join('. ');
    return renderLogin(
      deps,
      res,
      { email: typed.email, next: safeNextPath.parse(typed.next), error: message || refused.message },
      refused.httpStatus,
    );
  }
  if (!form.email || !form.password) {
    return renderLogin(deps, res, { email: form.email, next: form.next, error: 'Skriv både e-mail og adgangskode.' }, 422);
  }
  assertPasswordLoginAllowed(deps, form.email).then(
    () => checkPassword(deps, req, res, next, form),
    (error: unknown) =>
      error instanceof AppError
        ? renderLogin(deps, res, { email: form.email, next: form.next, error: error.message }, error.httpStatus)
        : next(error),
  );
}

function checkPassword(deps: AppDeps, req: Request, res: Response, next: NextFunction, form: { email: string; next: string }): void {
  // passport types the handler it returns as `any`; it is Express middleware.
  const authenticate = passport.authenticate('local', (error: unknown, user: Express.User | false) => {
    if (error instanceof AppError && (error.code === 'UNAUTHENTICATED' || error.code === 'TOO_MANY_REQUESTS')) {
      const retry = error.meta.retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      return renderLogin(deps, res, { email: form.email, next: form.next, error: error.message }, error.httpStatus);
    }
    if (error || !user) return next(error ?? new AppError('UNAUTHENTICATED', 'Login mislykkedes'));
    const userId = (user as { id: number }).id;
    needsSecondStep(deps, userId).then((second) => {
      if (second) return toSecondStep(req, res, next, userId, form.next);
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect(303, form.next)));
    }, next);
  }) as RequestHandler;
  authenticate(req, res, next);
}

/** The password login's second step waiting in this session, unless it has run out. */
function pendingStep(req: Request) {
  const pending = req.session.pendingSecondFactor;
  return pending && pending.until > Date.now() ? pending : undefined;
}

/** Where the browser goes after a municipal login's logout to end it at the provider too, if anywhere. */
async function providerLogoutUrl(deps: AppDeps, req: Request): Promise<string | undefined> {
  const afterwards = `${publicBaseUrl(deps.config)}/login`;
  const { ssoIdToken, samlSession } = req.session;
  if (ssoIdToken && deps.identityProvider) return deps.identityProvider.logoutUrl(ssoIdToken, afterwards);
  if (samlSession && deps.samlProvider) return deps.samlProvider.logoutUrl(samlSession, '/login');
  return undefined;
}

/** Login (with an administrator's second step) and logout. */
export function authRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/login', csrfTokenForForm, (req, res) => {
    if (res.locals.actor) return res.redirect(303, '/');
    renderLogin(deps, res, { next: loginQuery.parse(req.query).next });
  });
  router.post('/login', csrfProtection, (req, res, next) => logIn(deps, req, res, next));
  router.get('/login/second-factor', csrfTokenForForm, (req, res) => {
    if (!pendingStep(req)) return res.redirect(303, '/login');
    renderSecondStep(res);
  });
  router.post('/login/second-factor', csrfProtection, async (req, res, next) => {
    const pending = pendingStep(req);
    if (!pending) return renderLogin(deps, res, { error: 'Det tog for lang tid. Log ind igen.' }, 401);
    let result: { recoveryCodesLeft?: number };
    try {
      result = await verifySecondStep(deps, pending.userId, {
        code: (req.body as { code?: unknown } | undefined)?.code,
        address: req.ip ?? 'unknown',
      });
    } catch (error) {
      if (!(error instanceof AppError) || !['VALIDATION_FAILED', 'TOO_MANY_REQUESTS', 'UNAUTHENTICATED'].includes(error.code)) throw error;
      const retry = error.meta.retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      const message = error.code === 'VALIDATION_FAILED' ? (error.details[0]?.message ?? error.message) : error.message;
      return renderSecondStep(res, { error: message }, error.httpStatus);
    }
    const after = result.recoveryCodesLeft === undefined ? pending.next : `/profile/second-factor?tilbage=${result.recoveryCodesLeft}`;
    // What passport's login does (a new session holding the user id, saved before the redirect),
    // with the second factor marked passed in the same write.
    req.session.regenerate((regenerateError: unknown) => {
      if (regenerateError) return next(regenerateError);
      req.session.passport = { user: pending.userId };
      req.session.passedSecondFactor = true;
      req.session.save((saveError: unknown) => (saveError ? next(saveError) : res.redirect(303, after)));
    });
  });
  // Destroying the session row ends the login everywhere (every process reads the session on
  // every request); passport's own logout would only empty it first. After the municipality's
  // login, the browser goes on to the provider's logout, which ends the login there too.
  router.post('/logout', csrfProtection, async (req, res, next) => {
    const providerLogout = await providerLogoutUrl(deps, req).catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'identity provider logout address unavailable');
      return undefined;
    });
    req.session.destroy((error: unknown) => (error ? next(error) : res.redirect(303, providerLogout ?? '/login')));
  });
  return router;
}
