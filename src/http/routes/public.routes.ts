import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import { publicCouncilPage, publicCouncils, publishedLetter, publishedMinutes } from '../../domain/publication/public-pages.ts';
import { parseInput } from '../../domain/validation.ts';
import { sendArchivedPdf } from './archive.routes.ts';
import { presentPublicCouncil } from '../presenters/public-pages.ts';
import { publicCouncilParams, publicDownloadHeaders, publicLetterParams, publicMinutesParams } from './public.schemas.ts';

/** A malformed id in a public address is a page that does not exist, not a form error. */
function paramsOrNotFound<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') throw new AppError('NOT_FOUND', 'Siden findes ikke');
    throw error;
  }
}

/** The councils' public pages, without login: the list of councils, a council's page, its published letters and minutes. */
export function publicRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/r', async (_req, res) => {
    res.render('pages/public-councils', {
      title: 'Rådene',
      councils: await publicCouncils(deps),
      publicPage: true,
      canonicalPath: '/r',
      description: 'Rådene på Rådssvar og de høringssvar, de har offentliggjort.',
    });
  });
  router.get('/r/:slug', async (req, res) => {
    const { slug } = paramsOrNotFound(() => parseInput(publicCouncilParams, req.params));
    const page = presentPublicCouncil(await publicCouncilPage(deps, slug));
    res.render('pages/public-council', {
      title: page.council.name,
      page,
      publicPage: true,
      canonicalPath: `/r/${encodeURIComponent(page.council.slug)}`,
      description: page.metaDescription,
    });
  });
  router.get('/r/:slug/svar/:id.pdf', async (req, res) => {
    const { slug, id } = paramsOrNotFound(() => parseInput(publicLetterParams, req.params));
    const { 'if-none-match': ifNoneMatch } = publicDownloadHeaders.parse(req.headers);
    await sendArchivedPdf(deps, req, res, await publishedLetter(deps, slug, id, ifNoneMatch), 'public');
  });
  router.get('/r/:slug/referater/:meetingId.pdf', async (req, res) => {
    const { slug, meetingId } = paramsOrNotFound(() => parseInput(publicMinutesParams, req.params));
    await sendArchivedPdf(deps, req, res, await publishedMinutes(deps, slug, meetingId), 'public');
  });
  return router;
}
