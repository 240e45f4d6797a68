import { XMLBuilder } from 'fast-xml-parser';
import type { PublicCouncilPage } from '../../domain/publication/public-pages.ts';
import type { SearchPage } from '../../domain/search/service.ts';
import { formatSize } from './file-size.ts';

/** A council's public page as its template shows it: sizes, links and a description for search engines and link previews. */
export function presentPublicCouncil(page: PublicCouncilPage) {
  const slug = encodeURIComponent(page.council.slug);
  const count = page.responses.length;
  return {
    ...page,
    minutes: page.minutes.map((m) => ({ ...m, href: `/r/${slug}/referater/${m.meetingId}.pdf`, sizeText: formatSize(m.sizeBytes) })),
    annualReports: page.annualReports.map((a) => ({ ...a, href: `/r/${slug}/aarsberetning/${a.year}.pdf`, sizeText: formatSize(a.sizeBytes) })),
    responses: page.responses.map((r) => ({ ...r, href: `/r/${slug}/svar/${r.id}.pdf`, sizeText: formatSize(r.sizeBytes) })),
    search: page.search ? presentPublicSearch(page.search, `/r/${slug}`) : null,
    path: `/r/${slug}`,
    metaDescription: `${page.council.name}${page.council.municipality ? `, ${page.council.municipality}` : ''}: ${count === 1 ? 'ét offentliggjort høringssvar' : `${count.toLocaleString('da-DK')} offentliggjorte høringssvar`}, møder og medlemmer.`,
  };
}

/** A public search's results as the public pages show them: each hit links to the published letter. */
export function presentPublicSearch(page: SearchPage, path: string) {
  return {
    ...page,
    countText: page.totalIsLowerBound ? `Over ${page.total.toLocaleString('da-DK')}` : page.total.toLocaleString('da-DK'),
    items: page.items.map((item) => ({
      ...item,
      href: item.consultation.council ? `/r/${encodeURIComponent(item.consultation.council.slug)}/svar/${item.consultation.id}.pdf` : null,
    })),
    nextUrl: page.nextCursor ? `${path}?${new URLSearchParams({ q: page.q, cursor: page.nextCursor }).toString()}` : null,
  };
}

/** The sitemap (sitemaps.org) of the public pages, with absolute addresses under `baseUrl`. */
export function sitemapXml(baseUrl: string, entries: { path: string }[]): string {
  return new XMLBuilder({ ignoreAttributes: false, format: true }).build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    urlset: { '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9', url: entries.map((e) => ({ loc: `${baseUrl}${e.path}` })) },
  });
}
