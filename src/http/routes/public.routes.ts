import { Router, type Response } from 'express';
import { publicBaseUrl } from '../../domain/public-url.ts';
import { publicationFeed } from '../../domain/publication/feeds.ts';
import type { AppDeps } from '../../deps.ts';
import { publicCouncilPage, publicCouncils, publicSitemapEntries, publishedLetter, publishedMinutes } from '../../domain/publication/public-pages.ts';
import { parseInput } from '../../domain/validation.ts';
import { sendArchivedPdf } from '../pdf-response.ts';
import { letterHeaders } from './archive.schemas.ts';
import { presentPublicCouncil, presentPublicSearch, sitemapXml } from '../presenters/public-pages.ts';
import { publicCouncilParams, publicLetterParams, publicMinutesParams, publicPageQuery } from './public.schemas.ts';

/** An Atom feed, revalidated on every use. */
function sendFeed(res: Response, atom: string): void {
  res.setHeader('Content-Type', 'application/atom+xml; charset=utf-8');
  res.setHeader('Cache-Control', 'public, no-cache');
  res.send(atom);
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
    const { slug } = parseInput(publicCouncilParams, req.params);
    sendFeed(res, await publicationFeed({ db: deps.db, baseUrl: publicBaseUrl(deps.config) }, slug));
  });
  router.get('/sitemap.xml', async (_req, res) => {
    const xml = sitemapXml(publicBaseUrl(deps.config), await publicSitemapEntries(deps));
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.send(xml);
  });
  router.get('/r/:slug', async (req, res) => {
    const { slug } = parseInput(publicCouncilParams, req.params);
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
    const { slug, id } = parseInput(publicLetterParams, req.params);
    const { 'if-none-match': ifNoneMatch } = letterHeaders.parse(req.headers);
    await sendArchivedPdf(req, res, await publishedLetter(deps, slug, id, ifNoneMatch), 'public', deps.logger);
  });
  router.get('/r/:slug/referater/:meetingId.pdf', async (req, res) => {
    const { slug, meetingId } = parseInput(publicMinutesParams, req.params);
    await sendArchivedPdf(req, res, await publishedMinutes(deps, slug, meetingId), 'public', deps.logger);
  });
  return router;
}
