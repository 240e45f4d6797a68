import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { staffOverviewPage } from '../../domain/consultations/overview.ts';
import { presentNoticeRow } from '../presenters/notice.ts';
import { publicStatus } from '../../domain/consultations/status-links.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { statusParams } from './overview.schemas.ts';

/** The municipal staff overview (read-only) and the public status page behind a status link. */
export function overviewRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/overview', requireLogin, async (_req, res) => {
    const { items, notice, year } = await staffOverviewPage(deps, actorOf(res));
    res.render('pages/overview', { title: 'Overblik for forvaltningen', items, notice: notice.map(presentNoticeRow), noticeYear: year });
  });
  router.get('/status/:token', async (req, res) => {
    const { token } = parseInput(statusParams, req.params);
    const status = await publicStatus(deps, token);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.render('pages/status', { title: `Status: ${status.title}`, status, hideNav: true });
  });
  return router;
}
