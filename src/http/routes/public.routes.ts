import { Router, type Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { publicationFeed } from '../../domain/publication/feeds.ts';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import { publicCouncilPage, publicCouncils, publicSitemapEntries, publishedLetter, publishedMinutes } from '../../domain/publication/public-pages.ts';
import { parseInput } from '../../domain/validation.ts';
import { sendArchivedPdf } from './archive.routes.ts';
import { presentPublicCouncil, presentPublicSearch } from '../presenters/public-pages.ts';
import { publicCouncilParams, publicDownloadHeaders, publicLetterParams, publicMinutesParams, publicPageQuery } from './public.schemas.ts';

/** An Atom feed, revalidated on every use. */
function sendFeed(res: Response, atom: string): void {
  res.setHeader('Content-Type', 'application/atom+xml; charset=utf-8');
  res.setHeader('Cache-Control', 'public, no-cache');
  res.send(atom);
}

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
  router.get('/r', async (req, res) => {
    const query = parseInput(publicPageQuery, req.query);
    const { councils, search } = await publicCouncils(deps, query.q === undefined ? undefined : query);
    res.render('pages/public-councils', {
      title: search ? `Søg: ${search.q} – Rådene` : 'Rådene',
      councils,
      search: search ? presentPublicSearch(search, '/r') : null,
      publicPage: true,
      canonicalPath: '/r',
      feedPath: '/r/feed.atom',
      description: 'Rådene på Rådssvar og de høringssvar, de har offentliggjort.',
    });
  });
  router.get('/r/feed.atom', async (_req, res) => {
    sendFeed(res, await publicationFeed({ db: deps.db, baseUrl: publicBaseUrl(deps.config) }));
  });
  router.get('/r/:slug/feed.atom', async (req, res) => {
    const { slug } = paramsOrNotFound(() => parseInput(publicCouncilParams, req.params));
    sendFeed(res, await publicationFeed({ db: deps.db, baseUrl: publicBaseUrl(deps.config) }, slug));
  });
  router.get('/sitemap.xml', async (_req, res) => {
    const base = publicBaseUrl(deps.config);
    const entries = await publicSitemapEntries(deps);
    const xml = new XMLBuilder({ ignoreAttributes: false, format: true }).build({
      '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
      urlset: { '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9', url: entries.map((e) => ({ loc: `${base}${e.path}` })) },
    });
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.send(xml);
  });
  router.get('/r/:slug', async (req, res) => {
    const { slug } = paramsOrNotFound(() => parseInput(publicCouncilParams, req.params));
    const query = parseInput(publicPageQuery, req.query);
    const page = presentPublicCouncil(await publicCouncilPage(deps, slug, query.q === undefined ? undefined : query));
    res.render('pages/public-council', {
      title: page.council.name,
      page,
      publicPage: true,
      canonicalPath: `/r/${encodeURIComponent(page.council.slug)}`,
      feedPath: `/r/${encodeURIComponent(page.council.slug)}/feed.atom`,
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
