import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import {
  annualReport,
  annualReportPdf,
  annualReportWord,
  publishAnnualReport,
  publishedAnnualReport,
  saveAnnualReportText,
} from '../../domain/councils/annual-report.ts';
import { AppError } from '../../domain/errors.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { sendArchivedPdf, sendRenderedPdf } from '../pdf-response.ts';
import { letterHeaders } from './archive.schemas.ts';
import { presentAnnualReport } from '../presenters/annual-report.ts';
import { annualReportParams, annualReportPublishBody, annualReportQuery, publicAnnualReportParams } from './annual-report.schemas.ts';

const pagePath = (slug: string, year: number) => `/councils/${encodeURIComponent(slug)}/annual-report?year=${year}`;

async function renderPage(deps: AppDeps, res: Response, slug: string, year: number | undefined, extra: Record<string, unknown> = {}) {
  const report = presentAnnualReport(await annualReport(deps, actorOf(res), slug, year));
  res.status(extra.error instanceof AppError ? extra.error.httpStatus : 200).render('pages/annual-report', {
    title: `Årsberetning ${report.year} – ${report.council.name}`,
    report,
    // What the sections form shows: what was typed when it was refused, else what is saved.
    values: extra.typed ?? report.sections,
    ...extra,
    ...(extra.error instanceof AppError
      ? { error: extra.error.message, fieldErrors: Object.fromEntries(extra.error.details.map((d) => [d.path, d.message])) }
      : {}),
  });
}

/**
 * A council's annual report: the page (with the secretary's sections and the publish button), the
 * PDF and the DOCX, for those who read the council's internals; and the published PDF on the
 * public page, the bytes kept at publication.
 */
export function annualReportRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/councils/:slug/annual-report', requireLogin, async (req, res) => {
    const { slug } = parseInput(annualReportParams, req.params);
    const { year, saved } = parseInput(annualReportQuery, req.query);
    await renderPage(deps, res, slug, year, { saved });
  });
  router.get('/councils/:slug/annual-report.pdf', requireLogin, async (req, res) => {
    const { slug } = parseInput(annualReportParams, req.params);
    const { year } = parseInput(annualReportQuery, req.query);
    sendRenderedPdf(res, await annualReportPdf(deps, actorOf(res), slug, year));
  });
  router.get('/councils/:slug/annual-report.docx', requireLogin, async (req, res) => {
    const { slug } = parseInput(annualReportParams, req.params);
    const { year } = parseInput(annualReportQuery, req.query);
    const { docx, fileName } = await annualReportWord(deps, actorOf(res), slug, year);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.send(docx);
  });
  router.post('/councils/:slug/annual-report/sections', requireLogin, csrfProtection, async (req, res) => {
    const { slug } = parseInput(annualReportParams, req.params);
    const { year } = parseInput(annualReportPublishBody, req.body ?? {});
    try {
      await saveAnnualReportText(deps, actorOf(res), slug, year, req.body ?? {});
      res.redirect(303, `${pagePath(slug, year)}&saved=sections#tekster`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      await renderPage(deps, res, slug, year, { error, typed: req.body });
    }
  });
  router.post('/councils/:slug/annual-report/publish', requireLogin, csrfProtection, async (req, res) => {
    const { slug } = parseInput(annualReportParams, req.params);
    const { year } = parseInput(annualReportPublishBody, req.body ?? {});
    await publishAnnualReport(deps, actorOf(res), slug, year);
    res.redirect(303, `${pagePath(slug, year)}&saved=published#offentliggoer`);
  });
  router.get('/r/:slug/aarsberetning/:year.pdf', async (req, res) => {
    const { slug, year } = parseInput(publicAnnualReportParams, req.params);
    const { 'if-none-match': ifNoneMatch } = letterHeaders.parse(req.headers);
    await sendArchivedPdf(req, res, await publishedAnnualReport(deps, slug, year, ifNoneMatch), 'public', deps.logger);
  });
  return router;
}
