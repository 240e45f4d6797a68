import { storedBytes } from '../../db/byte-slices.ts';
import type { Db } from '../../db/database.ts';
import { readArchivedPdfSlice } from '../../db/repositories/archive.ts';
import { listPublishedAnnualReports } from '../../db/repositories/annual-reports.ts';
import { listCouncils } from '../../db/repositories/councils.ts';
import {
  findPublicCouncil,
  findPublishedMinutes,
  findPublishedResponse,
  listComingMeetings,
  listListedMembers,
  listPublicCouncils,
  listPublishedMinutes,
  listPublishedResponses,
} from '../../db/repositories/public-pages.ts';
import type { Role } from '../../db/types.ts';
import { archivedLetterDownload, archiveEtag, type ArchivedLetterDownload } from '../archive/service.ts';
import { notFound } from '../errors.ts';
import { isUuid } from '../validation.ts';
import { LISTED_ROLES } from './council-profile.ts';
import { searchPublished, type SearchPage } from '../search/service.ts';
import { minutesFileName } from '../meetings/minutes.ts';
import { outcomeOf, type ResponseOutcomeView } from './outcome.ts';
import { renderMarkdownSafe } from '../pdf/markdown.ts';
import { danishDate, type Clock } from '../time.ts';

/** What the public pages need: the database and the clock. */
export interface PublicDeps {
  db: Db;
  clock: Clock;
}

/** A council in the list of all councils (/r). */
export interface PublicCouncilListItem {
  slug: string;
  name: string;
  municipality: string | null;
  published: number;
}

/** A council's public page (/r/:slug): only what the council made public. */
export interface PublicCouncilPage {
  /** A search of the council's published responses, when one was asked for. */
  search: SearchPage | null;
  council: { slug: string; name: string; municipality: string | null; email: string | null };
  /** The council's own description, Markdown rendered to sanitised HTML. */
  descriptionHtml: string;
  members: { name: string; role: Role; title: string | null; organisation: string | null }[];
  meetings: { id: number; startsAt: Date; place: string }[];
  /** Empty when the council does not publish its minutes. */
  minutes: { meetingId: number; startsAt: Date; sizeBytes: number }[];
  /** The annual reports the council has published, newest first. */
  annualReports: { year: number; publishedAt: Date; sizeBytes: number }[];
  responses: {
    id: string;
    title: string;
    authority: string;
    reference: string | null;
    submittedAt: Date | null;
    sizeBytes: number;
    /** What came of it, when the council has recorded it. */
    outcome: ResponseOutcomeView | null;
  }[];
}

/**
 * Every council on the installation, by name, with how many responses each has published; and a
 * search of every council's published responses when one was asked for.
 */
export async function publicCouncils(
  deps: Pick<PublicDeps, 'db'>,
  searchInput?: unknown,
): Promise<{ councils: PublicCouncilListItem[]; search: SearchPage | null }> {
  const rows = await listPublicCouncils(deps.db);
  return {
    councils: rows.map((row) => ({ slug: row.slug, name: row.name, municipality: row.municipality, published: Number(row.published ?? 0) })),
    search: searchInput === undefined ? null : await searchPublished(deps, undefined, searchInput),
  };
}

async function publicCouncil(db: Db, slug: string) {
  const council = await findPublicCouncil(db, slug);
  if (!council) throw notFound('Rådet findes ikke');
  return council;
}

/**
 * A council's public page: its description and address, the members sitting today who agreed
 * to be listed, its coming meetings, its archived minutes when it publishes them, and its
 * published responses. NOT_FOUND for an unknown council.
 */
export async function publicCouncilPage(deps: PublicDeps, slug: string, searchInput?: unknown): Promise<PublicCouncilPage> {
  const council = await publicCouncil(deps.db, slug);
  const search = searchInput === undefined ? null : await searchPublished(deps, council.id, searchInput);
  const now = deps.clock();
  const [members, meetings, minutes, responses, annualReports] = [
    await listListedMembers(deps.db, council.id, danishDate(now), LISTED_ROLES),
    await listComingMeetings(deps.db, council.id, now),
    await listPublishedMinutes(deps.db, council.id),
    await listPublishedResponses(deps.db, council.id, { newestFirstBy: 'sent' }),
    await listPublishedAnnualReports(deps.db, council.id),
  ];
  return {
    search,
    council: { slug: council.slug, name: council.name, municipality: council.municipality, email: council.public_email },
    descriptionHtml: council.public_description.trim() === '' ? '' : renderMarkdownSafe(council.public_description),
    members,
    meetings,
    minutes: minutes.map((m) => ({ meetingId: m.meetingId, startsAt: m.startsAt, sizeBytes: Number(m.sizeBytes) })),
    annualReports: annualReports.map((a) => ({ year: a.year, publishedAt: a.publishedAt, sizeBytes: Number(a.sizeBytes) })),
    responses: responses.map((r) => ({
      id: r.id,
      title: r.title,
      authority: r.authority,
      reference: r.reference,
      sizeBytes: Number(r.sizeBytes),
      submittedAt: r.submittedAt ?? null,
      outcome: outcomeOf(r),
    })),
  };
}

/** A published response's archived letter: the same bytes and ETag as inside. NOT_FOUND unless it is published (a malformed id included). */
export async function publishedLetter(
  deps: Pick<PublicDeps, 'db'>,
  slug: string,
  consultationId: string,
  ifNoneMatch?: string,
): Promise<ArchivedLetterDownload> {
  const council = await publicCouncil(deps.db, slug);
  const response = isUuid(consultationId) ? await findPublishedResponse(deps.db, council.id, consultationId) : undefined;
  if (!response) throw notFound('Høringssvaret er ikke offentliggjort');
  return archivedLetterDownload(deps.db, response, ifNoneMatch);
}

/** The archived minutes of a meeting of a council that publishes its minutes; NOT_FOUND otherwise, a malformed id included. */
export async function publishedMinutes(deps: Pick<PublicDeps, 'db'>, slug: string, meetingId: string): Promise<ArchivedLetterDownload> {
  const council = await publicCouncil(deps.db, slug);
  const id = /^[1-9]\d{0,9}$/.test(meetingId) ? Number(meetingId) : undefined;
  const doc = id !== undefined && id <= 2_147_483_647 ? await findPublishedMinutes(deps.db, council.id, id) : undefined;
  if (!doc) throw notFound('Referatet findes ikke');
  return {
    etag: archiveEtag(doc.sha256),
    fileName: minutesFileName({ startsAt: doc.startsAt }),
    sizeBytes: Number(doc.sizeBytes),
    pdf: storedBytes(Number(doc.sizeBytes), (offset, length) => readArchivedPdfSlice(deps.db, doc.id, offset, length)),
  };
}

/** The public pages for a sitemap: the list of councils and each council's page. */
export async function publicSitemapEntries(deps: Pick<PublicDeps, 'db'>): Promise<{ path: string }[]> {
  const councils = await listCouncils(deps.db);
  // Search results are not pages of their own: only the list and each council's page.
  return [{ path: '/r' }, ...councils.map((c) => ({ path: `/r/${encodeURIComponent(c.slug)}` }))];
}
