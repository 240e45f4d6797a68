import { Feed } from 'feed';
import { findPublicCouncil, listPublishedMinutes, listPublishedResponses } from '../../db/repositories/public-pages.ts';
import { notFound } from '../errors.ts';
import { minutesTitle } from '../meetings/minutes.ts';
import type { PublicDeps } from './public-pages.ts';

/** Entries in a feed: the newest published responses and minutes together. */
export const FEED_ENTRIES = 50;

/**
 * The Atom feed of what a council (slug) or every council (undefined) has published: its
 * responses (linking to the archived letter) and minutes, newest first. Absolute links under the
 * installation's public address. NOT_FOUND for an unknown council.
 */
export async function publicationFeed(deps: Pick<PublicDeps, 'db'> & { baseUrl: string }, slug?: string): Promise<string> {
  const council = slug === undefined ? undefined : await findPublicCouncil(deps.db, slug);
  if (slug !== undefined && !council) throw notFound('Rådet findes ikke');
  const councilId = council?.id ?? null;
  const [responses, minutes] = [
    await listPublishedResponses(deps.db, councilId, { limit: FEED_ENTRIES }),
    await listPublishedMinutes(deps.db, councilId, FEED_ENTRIES),
  ];
  const pagePath = council ? `/r/${encodeURIComponent(council.slug)}` : '/r';
  const entries = [
    ...responses.map((r) => ({
      title: `Høringssvar: ${r.title}`,
      id: `${deps.baseUrl}/r/${encodeURIComponent(r.councilSlug)}/svar/${r.id}`,
      link: `${deps.baseUrl}/r/${encodeURIComponent(r.councilSlug)}/svar/${r.id}.pdf`,
      date: r.publishedAt,
      published: r.publishedAt,
      description: `${r.councilName} har afgivet høringssvar til ${r.authority}${r.reference ? ` (${r.reference})` : ''}.`,
      author: [{ name: r.councilName }],
    })),
    ...minutes.map((m) => ({
      title: minutesTitle({ startsAt: m.startsAt }),
      id: `${deps.baseUrl}/r/${encodeURIComponent(m.councilSlug)}/referater/${m.meetingId}`,
      link: `${deps.baseUrl}/r/${encodeURIComponent(m.councilSlug)}/referater/${m.meetingId}.pdf`,
      date: m.archivedAt,
      published: m.archivedAt,
      description: `${m.councilName}: referatet er godkendt.`,
      author: [{ name: m.councilName }],
    })),
  ]
    .sort((a, b) => b.date.getTime() - a.date.getTime())
    .slice(0, FEED_ENTRIES);
  const feed = new Feed({
    title: council ? `${council.name} – høringssvar og referater` : 'Rådssvar – rådenes høringssvar og referater',
    id: `${deps.baseUrl}${pagePath}`,
    link: `${deps.baseUrl}${pagePath}`,
    language: 'da',
    updated: entries[0]?.date ?? new Date(0),
    generator: false,
    feedLinks: { atom: `${deps.baseUrl}${pagePath}/feed.atom` },
    copyright: council ? council.name : 'Rådene på Rådssvar',
  });
  for (const entry of entries) feed.addItem(entry);
  // The library writes `language` only into RSS; Atom says it with xml:lang on the root.
  return feed.atom1().replace('<feed xmlns="http://www.w3.org/2005/Atom">', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="da">');
}
