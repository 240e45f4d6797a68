import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { openResetLink, requestPasswordReset, resetPassword, RESET_REQUESTED_MESSAGE } from '../../domain/auth/password-reset.ts';
import { AppError } from '../../domain/errors.ts';
import { csrfProtection, csrfTokenForForm } from '../middleware/csrf.ts';
import { passwordResetParams } from './password.schemas.ts';

/** A form's error as the page shows it: the message on top, one beside each field. */
function errorLocals(error: AppError) {
  return { error: error.message, fieldErrors: Object.fromEntries(error.details.map((d) => [d.path, d.message])) };
}

/** The error codes the password forms show on the form again; anything else goes to the error handler. */
function shownOnForm(error: unknown): error is AppError {
  return error instanceof AppError && (error.code === 'VALIDATION_FAILED' || error.code === 'TOO_MANY_REQUESTS');
}

function renderForgot(res: Response, locals: { values?: { email?: unknown }; notice?: string; error?: AppError }, status = 200): void {
  const retry = locals.error?.meta.retryAfterSeconds;
  if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(locals.error?.httpStatus ?? status).render('pages/password-forgot', {
    title: 'Glemt adgangskode',
    hideNav: true,
    values: locals.values ?? {},
    notice: locals.notice,
    ...(locals.error ? errorLocals(locals.error) : {}),
  });
}

/** The page of a reset link: its form, or (`invalid`) the words for a link that no longer works. */
function renderResetLink(res: Response, locals: Record<string, unknown>, status = 200): void {
  res.status(status).render('pages/password-reset', { title: 'Ny adgangskode', hideNav: true, ...locals });
}

/**
 * "Glemt adgangskode?": a form for the e-mail, which mails a single-use link when it is a user's
 * (the page says the same either way), and the link's form for the new password. Both are for
 * visitors who are not logged in, so their pages ask for a CSRF token of their own.
 */
export function passwordRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/password/forgot', csrfTokenForForm, (_req, res) => renderForgot(res, {}));
  router.post('/password/forgot', csrfProtection, async (req, res) => {
    const email = (req.body as { email?: unknown } | undefined)?.email;
    try {
      await requestPasswordReset(deps, req.body ?? {}, req.ip ?? 'unknown');
      renderForgot(res, { notice: RESET_REQUESTED_MESSAGE });
    } catch (error) {
      if (!shownOnForm(error)) throw error;
      renderForgot(res, { values: { email: typeof email === 'string' ? email : '' }, error });
    }
  });

  router.get('/password/reset/:token', csrfTokenForForm, async (req, res) => {
    const { token } = passwordResetParams.parse(req.params);
    try {
      const user = await openResetLink(deps, token);
      renderResetLink(res, { token, user });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      renderResetLink(res, { invalid: true, error: error.message }, 404);
    }
  });
  router.post('/password/reset/:token', csrfProtection, async (req, res) => {
    const { token } = passwordResetParams.parse(req.params);
    try {
      const { email } = await resetPassword(deps, token, req.body ?? {});
      res.render('pages/login', {
        title: 'Log ind',
        hideNav: true,
        values: { email, next: '/' },
        notice: 'Din adgangskode er skiftet. Log ind med den nye.',
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        return renderResetLink(res, { invalid: true, error: error.message }, 404);
      }
      if (!shownOnForm(error)) throw error;
      renderResetLink(res, { token, user: await openResetLink(deps, token), ...errorLocals(error) }, error.httpStatus);
    }
  });
  return router;
}
