import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { acceptSuggestion, dismissSuggestion } from '../../domain/intake/feed-watch.ts';
import { failedMailSource } from '../../domain/intake/inbox.ts';
import { notFound } from '../../domain/errors.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { intakeItemParams } from './intake.schemas.ts';

/** Parses the item number; a malformed one is the same 404 as an unknown one. */
function itemId(params: unknown): number {
  const parsed = intakeItemParams.safeParse(params);
  if (!parsed.success) throw notFound('Findes ikke');
  return parsed.data.id;
}

/** The secretary's decisions on what arrived by itself: Høringsportalen's suggestions and unreadable mails. */
export function intakeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/feed-suggestions/:id/accept', requireLogin, csrfProtection, async (req, res) => {
    const consultationId = await acceptSuggestion(deps, actorOf(res), itemId(req.params));
    res.redirect(303, `/consultations/${consultationId}?registered=1#modtaget`);
  });
  router.post('/feed-suggestions/:id/dismiss', requireLogin, csrfProtection, async (req, res) => {
    await dismissSuggestion(deps, actorOf(res), itemId(req.params));
    res.redirect(303, '/?suggestion=dismissed');
  });
  router.get('/intake-mails/:id/source', requireLogin, async (req, res) => {
    const id = itemId(req.params);
    const mail = await failedMailSource(deps, actorOf(res), id);
    res.attachment(`mail-${id}.eml`).type('message/rfc822').setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(mail.raw);
  });
  return router;
}
