import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import { describeUnsubscribeLink, unsubscribeWithLink, type UnsubscribeLinkView } from '../../domain/reminders/unsubscribe.ts';
import { unsubscribeParams } from './unsubscribe.schemas.ts';

type PageState = { link: UnsubscribeLinkView; token: string; done?: boolean } | { error: string };

function renderPage(res: Response, state: PageState, status = 200): void {
  // The path holds the token: no cache keeps it (Referrer-Policy no-referrer comes from helmet).
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).render('pages/reminder-unsubscribe', { title: 'Stop påmindelser', hideNav: true, ...state });
}

/** A bad token is a 404 with one message whatever was wrong; anything else goes to the error handler. */
function renderInvalid(res: Response, error: unknown): void {
  if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
  renderPage(res, { error: error.message }, 404);
}

/**
 * The reminders' one-click unsubscribe link (RFC 8058). GET shows a page with a button and
 * changes nothing, since link scanners and previews follow GETs; POST, from that button or from
 * the mail client's one-click (body `List-Unsubscribe=One-Click`), switches the council's
 * reminders off. Neither needs a session or a CSRF token: the link's own token is the proof.
 */
export function unsubscribeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/reminders/unsubscribe/:token', async (req, res) => {
    const { token } = unsubscribeParams.parse(req.params);
    try {
      renderPage(res, { link: await describeUnsubscribeLink(deps, token), token });
    } catch (error) {
      renderInvalid(res, error);
    }
  });
  router.post('/reminders/unsubscribe/:token', async (req, res) => {
    const { token } = unsubscribeParams.parse(req.params);
    try {
      renderPage(res, { link: await unsubscribeWithLink(deps, token), token, done: true });
    } catch (error) {
      renderInvalid(res, error);
    }
  });
  return router;
}
