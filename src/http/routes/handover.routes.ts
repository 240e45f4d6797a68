import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendRenderedPdf } from '../pdf-response.ts';
import { handoverPdf, handoverReport } from '../../domain/councils/handover.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { presentHandover } from '../presenters/handover.ts';
import { handoverParams, handoverQuery } from './handover.schemas.ts';

/**
 * A council's handover report, for its secretary, chair and members and for administrators
 * (404 for everyone else): the page, and the same as a PDF in the letterhead.
 */
export function handoverRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/councils/:slug/handover', requireLogin, async (req, res) => {
    const { slug } = parseInput(handoverParams, req.params);
    const { periode } = parseInput(handoverQuery, req.query);
    const report = presentHandover(await handoverReport(deps, actorOf(res), slug, periode));
    res.render('pages/handover', { title: `${report.title} – ${report.council.name}`, report });
  });
  router.get('/councils/:slug/handover.pdf', requireLogin, async (req, res) => {
    const { slug } = parseInput(handoverParams, req.params);
    const { periode } = parseInput(handoverQuery, req.query);
    sendRenderedPdf(res, await handoverPdf(deps, actorOf(res), slug, periode));
  });
  return router;
}
