import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { AppDeps } from '../../deps.ts';
import { beginEnrolment, confirmEnrolment, regenerateRecoveryCodes, secondFactorStatus } from '../../domain/auth/second-factor.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors } from '../forms.ts';

/** Errors the page shows beside its form; others go to the error handler. */
function shownOnPage(error: unknown): AppError {
  if (error instanceof AppError && (error.code === 'VALIDATION_FAILED' || error.code === 'TOO_MANY_REQUESTS')) return error;
  throw error;
}

/**
 * The page of the second factor: its set-up (a QR code drawn here as inline SVG, nothing fetched,
 * and the secret as text) for an administrator without one, or its state and new recovery codes.
 */
async function renderPage(deps: AppDeps, req: Request, res: Response, state: { error?: AppError; recoveryCodes?: string[] } = {}) {
  const actor = actorOf(res);
  if (!actor.isAdmin && !actor.secondFactor) throw notFound();
  const left = typeof req.query.tilbage === 'string' && /^\d{1,2}$/.test(req.query.tilbage) ? Number(req.query.tilbage) : undefined;
  const common = {
    title: 'Totrinsbekræftelse',
    error: state.error?.message,
    codeError: fieldErrors(state.error).code ?? (state.error?.code === 'TOO_MANY_REQUESTS' ? state.error.message : undefined),
    recoveryCodes: state.recoveryCodes,
    usedRecoveryCode: left !== undefined,
    recoveryCodesLeftAfterUse: left,
  };
  const status = state.error?.httpStatus ?? 200;
  if (actor.secondFactor || state.recoveryCodes) {
    return res.status(status).render('pages/second-factor', { ...common, enrolled: true, status: await secondFactorStatus(deps, actor) });
  }
  const enrolment = await beginEnrolment(deps, actor);
  const qrSvg = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  res.status(status).render('pages/second-factor', { ...common, enrolled: false, groupedSecret: enrolment.groupedSecret, qrSvg });
}

/** Setting up the second factor, and new recovery codes. */
export function secondFactorRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/profile/second-factor', requireLogin, async (req, res) => {
    await renderPage(deps, req, res);
  });
  router.post('/profile/second-factor', requireLogin, csrfProtection, async (req, res) => {
    try {
      const recoveryCodes = await confirmEnrolment(deps, actorOf(res), req.body ?? {});
      // This login has now passed the factor it set up.
      req.session.passedSecondFactor = true;
      res.setHeader('Cache-Control', 'no-store');
      await renderPage(deps, req, res, { recoveryCodes });
    } catch (error) {
      await renderPage(deps, req, res, { error: shownOnPage(error) });
    }
  });
  router.post('/profile/second-factor/recovery-codes', requireLogin, csrfProtection, async (req, res) => {
    try {
      const recoveryCodes = await regenerateRecoveryCodes(deps, actorOf(res), req.body ?? {}, req.ip ?? 'unknown');
      res.setHeader('Cache-Control', 'no-store');
      await renderPage(deps, req, res, { recoveryCodes });
    } catch (error) {
      await renderPage(deps, req, res, { error: shownOnPage(error) });
    }
  });
  return router;
}
