import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../database.ts';
import type { Database, SearchKind } from '../types.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/** One word of a query: letters and digits only (the domain strips the rest), and whether it ends in `*`. */
export interface QueryWord {
  word: string;
  prefix: boolean;
}

/** Who searches: the one visibility rule's viewer, and the councils whose internals (drafts, comments) they may read. */
export interface SearchViewer extends Viewer {
  /** Councils where the viewer is secretary, chair or member, not staff (mayActorReadInternals). */
  internalCouncilIds: readonly number[];
}

/** A search, resolved to ids by the domain. */
export interface SearchFilter {
  viewer: SearchViewer;
  words: readonly QueryWord[];
  /** Indexed words each query word expands to (see expandWords), by query word. */
  expansions: ReadonlyMap<string, readonly string[]>;
  councilId?: number;
  authority?: string;
  year?: number;
  state?: string;
  kind?: SearchKind;
}

/** Where a page starts: after this rank and entry id (ranks descending, then ids descending). */
export interface SearchKey {
  rank: number;
  id: string;
}

/** The marks ts_headline puts around a hit; the stored text never holds them (search_clean). */
export const MARK_START = '\uE000';
/** See MARK_START. */
export const MARK_END = '\uE001';

/** Words shorter than this are not expanded: three letters are inside too many words. */
const EXPAND_MIN_LENGTH = 4;
/** At most this many indexed words per query word, the most similar first. */
const EXPAND_LIMIT = 12;

/**
 * The indexed words (lexemes) that contain a query word or nearly match it, by trigram word
 * similarity (`<%`, pg_trgm's word_similarity_threshold, 0.6 by default), served by the trigram
 * index on search_words. "strategi" finds "integrationsstrategi", "beskæftigelse" finds
 * "beskæftigelsesplan", "integrasjon" finds "integration". One statement for all words.
 */
export async function expandWords(db: Executor, words: readonly string[]): Promise<Map<string, string[]>> {
  const long = [...new Set(words.filter((w) => w.length >= EXPAND_MIN_LENGTH))];
  const out = new Map<string, string[]>();
  if (long.length === 0) return out;
  const result = await sql<{ w: string; word: string }>`
    select q.w, x.word from unnest(cast(${long} as text[])) as q(w)
    cross join lateral (
      select word from search_words where q.w <% word order by q.w <<-> word, word limit ${EXPAND_LIMIT}
    ) x
  `.execute(db);
  for (const row of result.rows) out.set(row.w, [...(out.get(row.w) ?? []), row.word]);
  return out;
}

/** A lexeme quoted for to_tsquery. */
function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsquery of a search: every query word must match (AND), and a word matches its Danish stem
 * (or, with `*`, every word starting with it) OR any of its expansions. Constant arguments, so
 * PostgreSQL folds it once per statement.
 */
export function tsQueryOf(filter: Pick<SearchFilter, 'words' | 'expansions'>): RawBuilder<string> {
  const parts = filter.words.map(({ word, prefix }) => {
    const own = prefix ? sql`to_tsquery('danish', ${`${quoteLexeme(word)}:*`})` : sql`plainto_tsquery('danish', ${word})`;
    const more = filter.expansions.get(word) ?? [];
    return more.length > 0 ? sql`(${own} || to_tsquery('simple', ${more.map(quoteLexeme).join(' | ')}))` : own;
  });
  if (parts.length === 0) return sql<string>`''::tsquery`;
  return sql<string>`(${sql.join(parts, sql` && `)})`;
}

/**
 * Who sees an entry: the consultation by visibleTo (the one rule), and a draft version or a
 * comment only where mayActorReadInternals allows (never staff): administrators, the council's
 * secretary, chair and members, and for an unassigned consultation whoever registered it.
 */
function access(eb: ExpressionBuilder<Database, 'search_entries' | 'consultations'>, viewer: SearchViewer): Expression<SqlBool> {
  const visible = visibleTo(eb, viewer);
  if (viewer.isAdmin) return visible;
  const internals: Expression<SqlBool>[] = [
    eb('search_entries.kind', 'in', ['consultation', 'document']),
    eb.and([eb('consultations.council_id', 'is', null), eb('consultations.created_by', '=', viewer.userId)]),
  ];
  if (viewer.internalCouncilIds.length > 0) internals.push(eb('consultations.council_id', 'in', [...viewer.internalCouncilIds]));
  return eb.and([visible, eb.or(internals)]);
}

/**
 * Of a consultation's response versions, only the newest that matches is a hit: a draft saved
 * fifteen times is one result, not fifteen near-copies, while a word found only in an older
 * version still finds it. Versions are only ever added, so the newest is the highest entry id;
 * a newer version has the same consultation, hence the same access.
 */
function newestMatchingVersion(query: RawBuilder<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(search_entries.kind <> 'response' or not exists (
    select 1 from search_entries newer
    where newer.consultation_id = search_entries.consultation_id and newer.kind = 'response'
      and newer.id > search_entries.id and newer.tsv @@ ${query}))`;
}

function conditions(eb: ExpressionBuilder<Database, 'search_entries' | 'consultations'>, filter: SearchFilter, query: RawBuilder<string>) {
  const where: Expression<SqlBool>[] = [sql<SqlBool>`search_entries.tsv @@ ${query}`, access(eb, filter.viewer), newestMatchingVersion(query)];
  if (filter.councilId !== undefined) where.push(eb('search_entries.council_id', '=', filter.councilId));
  if (filter.authority !== undefined) where.push(eb('search_entries.authority', '=', filter.authority));
  if (filter.year !== undefined) where.push(eb('search_entries.year', '=', filter.year));
  if (filter.state !== undefined) where.push(eb('search_entries.state', '=', filter.state));
  if (filter.kind !== undefined) where.push(eb('search_entries.kind', '=', filter.kind));
  return where;
}

/**
 * One page of results, best first (ts_rank_cd, then the newest entry), each with a ts_headline
 * snippet marked with MARK_START/MARK_END, made only for the page's rows (the outer query).
 */
export async function searchEntries(db: Executor, filter: SearchFilter, page: { after?: SearchKey; limit: number }) {
  const query = tsQueryOf(filter);
  const rank = sql<number>`ts_rank_cd(search_entries.tsv, ${query})`;
  const inner = db
    .selectFrom('search_entries')
    .innerJoin('consultations', 'consultations.id', 'search_entries.consultation_id')
    .select([
      'search_entries.id',
      'search_entries.kind',
      'search_entries.source_id',
      'search_entries.consultation_id',
      'search_entries.year',
      'search_entries.body',
      rank.as('rank'),
    ])
    .where((eb) => {
      const where = conditions(eb, filter, query);
      if (page.after) where.push(sql<SqlBool>`(${rank}, search_entries.id) < (cast(${page.after.rank} as real), cast(${page.after.id} as bigint))`);
      return eb.and(where);
    })
    .orderBy(rank, 'desc')
    .orderBy('search_entries.id', 'desc')
    .limit(page.limit);
  const options = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  return db
    .selectFrom(inner.as('hit'))
    .innerJoin('consultations', 'consultations.id', 'hit.consultation_id')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .select([
      'hit.id',
      'hit.kind',
      'hit.source_id as sourceId',
      'hit.consultation_id as consultationId',
      'hit.year',
      'hit.rank',
      sql<string>`ts_headline('danish', hit.body, ${query}, ${options})`.as('snippet'),
      'consultations.title',
      'consultations.reference',
      'consultations.authority',
      'consultations.state',
      'councils.slug as councilSlug',
      'councils.name as councilName',
    ])
    .orderBy('hit.rank', 'desc')
    .orderBy('hit.id', 'desc')
    .execute();
}

/** One result row of searchEntries. */
export type SearchRow = Awaited<ReturnType<typeof searchEntries>>[number];

/** How many entries match, counting at most `upTo` + 1 (a result above `upTo` means "more than"). */
export async function countSearchEntries(db: Executor, filter: SearchFilter, upTo: number): Promise<number> {
  const query = tsQueryOf(filter);
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('search_entries')
        .innerJoin('consultations', 'consultations.id', 'search_entries.consultation_id')
        .select(sql.lit(1).as('one'))
        .where((inner) => inner.and(conditions(inner, filter, query)))
        .limit(upTo + 1)
        .as('matching'),
    )
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
