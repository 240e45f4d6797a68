import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import {
  confirmSubscription,
  describeSubscriptionUnsubscribe,
  openSubscriptionConfirmation,
  requestSubscription,
  subscriptionCouncil,
  unsubscribeSubscription,
  SUBSCRIPTION_REQUESTED_MESSAGE,
} from '../../domain/publication/subscriptions.ts';
import { parseInput } from '../../domain/validation.ts';
import { csrfProtection, csrfTokenForForm } from '../middleware/csrf.ts';
import { subscribeParams, subscriptionLinkParams } from './subscription.schemas.ts';

/** The subscribe form, again with what was typed and why it was refused, or with the answer. */
function renderSubscribe(
  res: Response,
  council: { slug: string; name: string },
  locals: { email?: string; notice?: string; error?: AppError },
): void {
  const retry = locals.error?.meta.retryAfterSeconds;
  if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(locals.error?.httpStatus ?? 200).render('pages/public-subscribe', {
    title: `Få besked fra ${council.name}`,
    council,
    email: locals.email ?? '',
    notice: locals.notice,
    error: locals.error?.message,
    fieldErrors: Object.fromEntries(locals.error?.details.map((d) => [d.path, d.message]) ?? []),
    publicPage: true,
    canonicalPath: `/r/${encodeURIComponent(council.slug)}/abonner`,
  });
}

/** The page behind a mailed link (confirm or unsubscribe); a bad link is a 404 with one message. */
async function renderLink(res: Response, state: () => Promise<Record<string, unknown>>): Promise<void> {
  // The path holds the token: no cache keeps it (Referrer-Policy no-referrer comes from helmet).
  res.setHeader('Cache-Control', 'no-store');
  try {
    res.render('pages/public-subscription', { title: 'Besked på mail', ...(await state()) });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
    res.status(404).render('pages/public-subscription', { title: 'Besked på mail', error: error.message });
  }
}

/**
 * E-mail subscriptions to a council's public page. The form is for visitors without login, so
 * its page asks for a CSRF token of its own. The mailed links' pages show a button and change
 * nothing on GET (link scanners follow GETs); their POST needs no session, the link's token is
 * the proof, and the unsubscribe POST is also the mail client's one-click (RFC 8058).
 */
export function subscriptionRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/r/:slug/abonner', csrfTokenForForm, async (req, res) => {
    const { slug } = parseInput(subscribeParams, req.params);
    renderSubscribe(res, await subscriptionCouncil(deps, slug), {});
  });
  router.post('/r/:slug/abonner', csrfProtection, async (req, res) => {
    const { slug } = parseInput(subscribeParams, req.params);
    const typed = (req.body as { email?: unknown } | undefined)?.email;
    const email = typeof typed === 'string' ? typed : '';
    try {
      const council = await requestSubscription(deps, slug, req.body ?? {}, req.ip ?? 'unknown');
      renderSubscribe(res, council, { notice: SUBSCRIPTION_REQUESTED_MESSAGE });
    } catch (error) {
      if (!(error instanceof AppError) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'TOO_MANY_REQUESTS')) throw error;
      renderSubscribe(res, await subscriptionCouncil(deps, slug), { email, error });
    }
  });
  router.get('/abonnement/bekraeft/:token', (req, res) => {
    const { token } = subscriptionLinkParams.parse(req.params);
    return renderLink(res, async () => ({ confirm: await openSubscriptionConfirmation(deps, token), token }));
  });
  router.post('/abonnement/bekraeft/:token', (req, res) => {
    const { token } = subscriptionLinkParams.parse(req.params);
    return renderLink(res, async () => ({ confirmed: await confirmSubscription(deps, token) }));
  });
  router.get('/abonnement/afmeld/:token', (req, res) => {
    const { token } = subscriptionLinkParams.parse(req.params);
    return renderLink(res, async () => ({ unsubscribe: await describeSubscriptionUnsubscribe(deps, token), token }));
  });
  router.post('/abonnement/afmeld/:token', (req, res) => {
    const { token } = subscriptionLinkParams.parse(req.params);
    return renderLink(res, async () => ({ unsubscribed: await unsubscribeSubscription(deps, token) }));
  });
  return router;
}
