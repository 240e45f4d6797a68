import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { noticeCsv, noticeCsvFileName, noticeReport } from '../../domain/councils/notice.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { presentNotice } from '../presenters/notice.ts';
import { noticeParams, noticeQuery } from './notice.schemas.ts';

/** How late a council is consulted: the page with its charts and tables, and the consultations as CSV. */
export function noticeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/councils/:slug/notice', requireLogin, async (req, res) => {
    const { slug } = parseInput(noticeParams, req.params);
    const { year } = parseInput(noticeQuery, req.query);
    const report = presentNotice(await noticeReport(deps, actorOf(res), slug, year));
    res.render('pages/notice', { title: `Varsel ved høringer ${report.year} – ${report.council.name}`, report });
  });
  router.get('/councils/:slug/notice.csv', requireLogin, async (req, res) => {
    const { slug } = parseInput(noticeParams, req.params);
    const { year } = parseInput(noticeQuery, req.query);
    const report = await noticeReport(deps, actorOf(res), slug, year);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${noticeCsvFileName(report)}"`);
    res.send(noticeCsv(report));
  });
  return router;
}
