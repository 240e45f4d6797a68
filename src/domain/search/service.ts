import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import {
  expandPrefixes,
  expandWords,
  MARK_END,
  MARK_START,
  searchEntries,
  type QueryWord,
  type SearchFilter,
  type SearchKey,
} from '../../db/repositories/search.ts';
import type { SearchKind } from '../../db/types.ts';
import { STATES, type ConsultationState } from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../errors.ts';
import { viewerOf } from '../consultations/policy.ts';
import type { ConsultationSummary } from '../consultations/queue.ts';
import { parseInput } from '../validation.ts';

/** The kinds of thing a search finds. */
export const SEARCH_KINDS = ['consultation', 'response', 'document', 'comment'] as const satisfies readonly SearchKind[];

/** Results per page. */
export const SEARCH_PAGE_SIZE = 20;
/**
 * The newest this many hits are ranked and counted (searchEntries); beyond it the count says
 * "over 1.000", as useful as the exact figure, and a filter (year, authority, kind) reaches further.
 */
export const SEARCH_COUNT_LIMIT = 1000;
/** At most this many words in a query: each is one more AND in the tsquery. */
const MAX_WORDS = 8;

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** A search as a user (page or API) asks for it; every field a string, as in a query string. */
export const searchQuerySchema = z.object({
  q: z.string().trim().max(200, 'Højst 200 tegn').default(''),
  council: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  authority: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()),
  year: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'Ugyldigt år' }).int('Ugyldigt år').min(1900, 'Ugyldigt år').max(2200, 'Ugyldigt år').optional(),
  ),
  state: z.preprocess(
    emptyToUndefined,
    z.enum(STATES as unknown as [ConsultationState, ...ConsultationState[]], { error: 'Ukendt status' }).optional(),
  ),
  kind: z.preprocess(emptyToUndefined, z.enum(SEARCH_KINDS, { error: 'Ukendt type' }).optional()),
  cursor: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
});

export type SearchQuery = z.input<typeof searchQuerySchema>;

/** A piece of a snippet: plain text, or a hit to highlight. The view escapes both. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

/** One result. */
export interface SearchHit {
  kind: SearchKind;
  /** The id of what was found (consultation, response version, document or comment). */
  sourceId: string;
  consultation: ConsultationSummary;
  year: number;
  snippet: SnippetPart[];
  rank: number;
}

/** A page of results. */
export interface SearchPage {
  q: string;
  items: SearchHit[];
  /** Matches counted up to SEARCH_COUNT_LIMIT. */
  total: number;
  totalIsLowerBound: boolean;
  nextCursor: string | null;
}

/**
 * The words of a query: lower-cased, letters and digits only (so nothing in them is tsquery
 * syntax), a trailing `*` asks for every word starting with it.
 */
export function queryWords(q: string): QueryWord[] {
  const words: QueryWord[] = [];
  for (const token of q.toLowerCase().split(/\s+/)) {
    const prefix = token.endsWith('*');
    const word = token.replace(/[^\p{L}\p{N}]+/gu, '');
    if (word.length === 0 || words.some((w) => w.word === word)) continue;
    words.push({ word: word.slice(0, 60), prefix });
    if (words.length === MAX_WORDS) break;
  }
  return words;
}

/** Splits ts_headline's marked text into parts. */
export function snippetParts(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [index, piece] of marked.split(MARK_START).entries()) {
    const [hit, rest] = index === 0 ? [undefined, piece] : piece.split(MARK_END, 2).length === 2 ? piece.split(MARK_END, 2) : [piece, ''];
    if (hit) parts.push({ text: hit, mark: true });
    if (rest) parts.push({ text: rest, mark: false });
  }
  return parts;
}

function encodeKey(key: SearchKey): string {
  return Buffer.from(JSON.stringify([key.rank, key.id])).toString('base64url');
}

function decodeKey(cursor: string): SearchKey {
  try {
    const [rank, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof rank !== 'number' || !Number.isFinite(rank) || typeof id !== 'string' || !/^\d{1,18}$/.test(id)) throw new Error('bad cursor');
    return { rank, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Ugyldig side', { details: [{ path: 'cursor', message: 'Ugyldig side' }] });
  }
}

/** The council id a slug means for this actor; -1 (matches nothing) for a council they may not see. */
async function councilIdFor(db: Db, actor: Actor, slug: string): Promise<number> {
  const own = actor.councils.find((c) => c.slug === slug);
  if (own) return own.councilId;
  if (!actor.isAdmin) return -1;
  return (await findCouncilBySlug(db, slug))?.id ?? -1;
}

/** What the query's words stand for in the index: compounds for whole words, the exact words a prefix begins. */
async function expansionsOf(db: Db, words: readonly QueryWord[]): Promise<Pick<SearchFilter, 'expansions' | 'prefixes'>> {
  const [expansions, prefixes] = await Promise.all([
    expandWords(
      db,
      words.filter((w) => !w.prefix).map((w) => w.word),
    ),
    expandPrefixes(
      db,
      words.filter((w) => w.prefix).map((w) => w.word),
    ),
  ]);
  return { expansions, prefixes };
}

/**
 * Searches everything the actor may see (visibleTo, in the repository): consultations,
 * response versions, comments and document texts; ranked, with highlighted snippets and a
 * bounded count. An empty query gives an empty page.
 */
export async function search(deps: { db: Db }, actor: Actor, input: SearchQuery): Promise<SearchPage> {
  const query = parseInput(searchQuerySchema, input);
  const after = query.cursor ? decodeKey(query.cursor) : undefined;
  const words = queryWords(query.q);
  if (words.length === 0) return { q: query.q, items: [], total: 0, totalIsLowerBound: false, nextCursor: null };
  const filter: SearchFilter = {
    viewer: {
      ...viewerOf(actor),
      internalCouncilIds: actor.councils.filter((c) => c.role !== 'staff').map((c) => c.councilId),
    },
    words,
    ...(await expansionsOf(deps.db, words)),
  };
  if (query.council) filter.councilId = await councilIdFor(deps.db, actor, query.council);
  if (query.authority) filter.authority = query.authority;
  if (query.year !== undefined) filter.year = query.year;
  if (query.state) filter.state = query.state;
  if (query.kind) filter.kind = query.kind;
  return searchPage(deps, query.q, filter, after);
}

/** A public search, as the councils' public pages ask for it: the words, a council, a page. */
export const publicSearchSchema = z.object({
  q: z.string().trim().max(200, 'Højst 200 tegn').default(''),
  cursor: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
});

/**
 * Searches what the councils have published — the published responses' titles, authorities,
 * summaries and letter texts, never a draft, comment or document — of one council (its id) or of
 * all; for visitors without login. Ranked, with snippets and the count, like `search`.
 */
export async function searchPublished(deps: { db: Db }, councilId: number | undefined, input: unknown): Promise<SearchPage> {
  const query = parseInput(publicSearchSchema, input);
  const after = query.cursor ? decodeKey(query.cursor) : undefined;
  const words = queryWords(query.q);
  if (words.length === 0) return { q: query.q, items: [], total: 0, totalIsLowerBound: false, nextCursor: null };
  const filter: SearchFilter = {
    viewer: { userId: -1, isAdmin: false, councilIds: [], internalCouncilIds: [] },
    publishedOnly: true,
    words,
    ...(await expansionsOf(deps.db, words)),
    ...(councilId === undefined ? {} : { councilId }),
  };
  return searchPage(deps, query.q, filter, after);
}

async function searchPage(deps: { db: Db }, q: string, filter: SearchFilter, after: SearchKey | undefined): Promise<SearchPage> {
  const { rows, total: count } = await searchEntries(deps.db, filter, {
    ...(after ? { after } : {}),
    limit: SEARCH_PAGE_SIZE + 1,
    rankAtMost: SEARCH_COUNT_LIMIT,
  });
  const page = rows.slice(0, SEARCH_PAGE_SIZE);
  const last = page.at(-1);
  return {
    q,
    items: page.map((row) => ({
      kind: row.kind,
      sourceId: row.sourceId,
      consultation: {
        id: row.consultationId,
        reference: row.reference,
        title: row.title,
        authority: row.authority,
        state: row.state as ConsultationState,
        council: row.councilSlug !== null ? { slug: row.councilSlug, name: row.councilName ?? row.councilSlug } : null,
      },
      year: row.year,
      snippet: snippetParts(row.snippet),
      rank: Number(row.rank),
    })),
    total: Math.min(count, SEARCH_COUNT_LIMIT),
    totalIsLowerBound: count > SEARCH_COUNT_LIMIT,
    nextCursor: rows.length > SEARCH_PAGE_SIZE && last ? encodeKey({ rank: Number(last.rank), id: String(last.id) }) : null,
  };
}
