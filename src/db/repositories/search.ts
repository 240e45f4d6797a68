import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../database.ts';
import type { SearchKind } from '../types.ts';
import { partitionsOf, type Partition, type Viewer } from '../visibility.ts';

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
  /** Who searches; for a public search (`publishedOnly`), nobody: no internal council is theirs. */
  viewer: SearchViewer;
  /**
   * The public search of the councils' pages: only what is published — a published response's
   * consultation entry and the response version its archived letter was made from — of every
   * council or of `councilId`. Never a draft, comment or document.
   */
  publishedOnly?: boolean;
  words: readonly QueryWord[];
  /** Indexed words each query word expands to (see expandWords), by query word. */
  expansions: ReadonlyMap<string, readonly string[]>;
  /**
   * For a prefix word (`strat*`), every indexed word its stem begins (see expandPrefixes), by
   * query word; a prefix word without an entry is matched by to_tsquery's `:*`.
   */
  prefixes?: ReadonlyMap<string, readonly string[]>;
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

/** At most this many indexed words stand for a prefix; a prefix that begins more is matched by `:*`. */
export const PREFIX_WORDS_LIMIT = 100;

/**
 * The indexed words (lexemes) each prefix word's Danish stem begins, as to_tsquery's `:*` would
 * match them, from search_words (every lexeme of three letters or more ever indexed; only ever
 * added to, so the list holds every word an entry can have). A GIN index answers `:*` by
 * collecting every entry of every matching word in the whole table into a bitmap before any
 * other condition narrows it, so its cost grew with all councils' history; the same words as
 * exact lexemes are read only where the viewer's councils and years are (BENCHMARKS.md,
 * search). A stem shorter than three letters, a stopword, or a prefix of more than
 * PREFIX_WORDS_LIMIT words gets no entry. One statement for all words.
 */
export async function expandPrefixes(db: Executor, words: readonly string[]): Promise<Map<string, string[]>> {
  const distinct = [...new Set(words)];
  const out = new Map<string, string[]>();
  if (distinct.length === 0) return out;
  const result = await sql<{ w: string; words: string[] | null }>`
    select q.w, (
      select array_agg(x.word) from (
        select word from search_words
        where stem.lexemes[1] is not null and cardinality(stem.lexemes) = 1 and length(stem.lexemes[1]) >= 3
          and word like replace(replace(replace(stem.lexemes[1], '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
        limit ${PREFIX_WORDS_LIMIT + 1}
      ) x
    ) as words
    from unnest(cast(${distinct} as text[])) as q(w)
    cross join lateral (select array(select lexeme from unnest(to_tsvector('danish', q.w))) as lexemes) stem
  `.execute(db);
  for (const row of result.rows) {
    if (row.words && row.words.length > 0 && row.words.length <= PREFIX_WORDS_LIMIT) out.set(row.w, row.words);
  }
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
export function tsQueryOf(filter: Pick<SearchFilter, 'words' | 'expansions' | 'prefixes'>): RawBuilder<string> {
  const parts = filter.words.map(({ word, prefix }) => {
    const begun = prefix ? filter.prefixes?.get(word) : undefined;
    const own = begun
      ? sql`to_tsquery('simple', ${begun.map(quoteLexeme).join(' | ')})`
      : prefix
        ? sql`to_tsquery('danish', ${`${quoteLexeme(word)}:*`})`
        : sql`plainto_tsquery('danish', ${word})`;
    const more = filter.expansions.get(word) ?? [];
    return more.length > 0 ? sql`(${own} || to_tsquery('simple', ${more.map(quoteLexeme).join(' | ')}))` : own;
  });
  if (parts.length === 0) return sql<string>`''::tsquery`;
  return sql<string>`(${sql.join(parts, sql` && `)})`;
}

/**
 * The entries of one part of what a viewer sees (partitionsOf, the one visibility rule split by
 * council) in one year: a council's entries, or the unassigned consultations a user registered. A
 * draft version or a comment only where mayActorReadInternals allows (never staff):
 * administrators, the council's secretary, chair and members, and for an unassigned consultation
 * whoever registered it.
 *
 * A part's scan is one lookup of the scoped GIN index (migration 2026-12-11T0100), whose keys are
 * `<council>/<year>/<lexeme>`: the query's lexemes scoped to the part's council (none for the
 * unassigned) and the year match that council's entries of that year and no others, so the scan
 * reads the part's hits and its cost does not grow with other councils or years. The scope is the
 * council condition: a key of another council cannot match. For every council at once ('all',
 * administrators), `inYears` over the (council_id, year, tsv) index.
 */
function matchesOf(db: Executor, filter: SearchFilter, query: RawBuilder<string>, scan: PartScan) {
  return db
    .selectFrom('search_entries')
    .select(['search_entries.id', 'search_entries.kind', 'search_entries.source_id', 'search_entries.consultation_id', 'search_entries.year'])
    .where((eb) => {
      const where: Expression<SqlBool>[] = [];
      if (scan.partition === 'all') {
        where.push(sql<SqlBool>`search_entries.tsv @@ ${query}`, scan.inYears);
      } else {
        const council = 'councilId' in scan.partition ? scan.partition.councilId : null;
        where.push(
          sql<SqlBool>`search_scoped(search_entries.council_id, search_entries.year, search_entries.tsv)
            @@ search_scoped_query(${query}, cast(${council} as integer), ${scan.year})`,
        );
      }
      if (filter.publishedOnly) where.push(publishedEntry());
      if (scan.partition !== 'all' && 'councilId' in scan.partition) {
        if (!filter.publishedOnly && !filter.viewer.internalCouncilIds.includes(scan.partition.councilId))
          where.push(eb('search_entries.kind', 'in', ['consultation', 'document']));
      } else if (scan.partition !== 'all') {
        where.push(
          eb(
            'search_entries.consultation_id',
            'in',
            eb
              .selectFrom('consultations')
              .select('consultations.id')
              .where('consultations.council_id', 'is', null)
              .where('consultations.created_by', '=', scan.partition.createdBy),
          ),
        );
      }
      if (filter.authority !== undefined) where.push(eb('search_entries.authority', '=', filter.authority));
      if (filter.state !== undefined) where.push(eb('search_entries.state', '=', filter.state));
      if (filter.kind !== undefined) where.push(eb('search_entries.kind', '=', filter.kind));
      return eb.and(where);
    });
}

/** What one scan of matchesOf reads: a part of what the viewer sees in one year, or every council in the years `inYears` allows. */
type PartScan = { partition: Partition; year: RawBuilder<number> } | { partition: 'all'; inYears: RawBuilder<SqlBool> };

/** The newest and oldest year of a part's entries, from the (council_id, year) btree: two index descents. */
function yearBoundsOf(partition: Partition): RawBuilder<unknown> {
  const ofPart = 'councilId' in partition ? sql`search_entries.council_id = ${partition.councilId}` : sql`search_entries.council_id is null`;
  return sql`select (select search_entries.year from search_entries where ${ofPart} order by search_entries.year desc limit 1) as newest,
    (select search_entries.year from search_entries where ${ofPart} order by search_entries.year limit 1) as oldest`;
}

/** A published response's consultation entry, or the response version its archived letter was made from. */
function publishedEntry(): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from consultations published
    where published.id = search_entries.consultation_id and published.published_at is not null and published.state = 'submitted')
    and (search_entries.kind = 'consultation' or (search_entries.kind = 'response' and search_entries.source_id in (
      select letter.response_version_id::text from archived_documents letter
      where letter.consultation_id = search_entries.consultation_id and letter.kind = 'letter')))`;
}

/** The parts a search reads: the viewer's (partitionsOf), narrowed to one council when asked; undefined for every entry (administrators). */
function partitionsFor(filter: SearchFilter): Partition[] | undefined {
  if (filter.publishedOnly) return filter.councilId === undefined ? undefined : [{ councilId: filter.councilId }];
  const parts = partitionsOf(filter.viewer);
  if (filter.councilId === undefined) return parts;
  const council = { councilId: filter.councilId };
  return parts ? parts.filter((p) => 'councilId' in p && p.councilId === filter.councilId) : [council];
}

/** A text longer than this is cut to an excerpt of this length before ts_headline parses it. */
const SNIPPET_SOURCE_CHARS = 1200;
/** How much of the text before the first hit the excerpt keeps. */
const SNIPPET_LEAD_CHARS = 200;

/**
 * Where the excerpt a page row's snippet is made from starts (see snippetText), as a lateral
 * join on `entry`: 1 for a short text, else a little before the first place a searched word
 * occurs as written — its Danish stems, its expansions, the prefix — found by one
 * case-insensitive regular expression that stops at the first hit, or 1 if none is found (a hit
 * only in another spelling of the stem). The pattern is built once per statement, every
 * character other than a letter or digit escaped.
 */
function snippetStart(filter: Pick<SearchFilter, 'words' | 'expansions'>): RawBuilder<unknown> {
  const plain = filter.words.filter((w) => !w.prefix).map((w) => w.word);
  const literal = [...filter.words.filter((w) => w.prefix).map((w) => w.word), ...filter.words.flatMap((w) => filter.expansions.get(w.word) ?? [])];
  const needles = sql`(array(select lexeme from unnest(to_tsvector('danish', ${plain.join(' ')}))) || cast(${literal} as text[]))`;
  const pattern = sql`(select string_agg(regexp_replace(needle, '([^[:alnum:]])', '\\\\\\1', 'g'), '|') from unnest(${needles}) as needle)`;
  return sql`left join lateral (
      select case when length(entry.body) <= ${SNIPPET_SOURCE_CHARS} then 1
        else greatest(1, coalesce(nullif(regexp_instr(entry.body, ${pattern}, 1, 1, 0, 'i'), 0), 1) - ${SNIPPET_LEAD_CHARS}) end as start
    ) cut on true`;
}

/**
 * The text ts_headline makes a page row's snippet from: the whole text when it is short, else the
 * excerpt of SNIPPET_SOURCE_CHARS from snippetStart's `cut.start`, beginning at a word.
 * ts_headline parses every word of what it is given, and a document of 20 pages is 55,000
 * characters: parsing it whole was nearly all of a search's time (BENCHMARKS.md, search).
 */
const snippetText = sql<string>`case when length(entry.body) <= ${SNIPPET_SOURCE_CHARS} then entry.body
    when cut.start = 1 then substr(entry.body, 1, ${SNIPPET_SOURCE_CHARS})
    else regexp_replace(substr(entry.body, cut.start, ${SNIPPET_SOURCE_CHARS}), '^\\S*\\s+', '') end`;

/**
 * Runs a statement with parallel query off (SET LOCAL, in a transaction of its own unless it is in
 * one). The planner overestimates the hits of a tsquery of many alternatives and splits the few
 * index scans of a search over parallel workers, whose start cost more than the scans
 * (BENCHMARKS.md, search); a request's statement is small and many run at once.
 */
async function withoutParallelWorkers<T>(db: Executor, run: (executor: Executor) => Promise<T>): Promise<T> {
  const body = async (executor: Executor) => {
    await sql`set local max_parallel_workers_per_gather = 0`.execute(executor);
    return run(executor);
  };
  return db.isTransaction ? body(db) : db.transaction().execute(body);
}

/** A page of searchEntries: its rows, best first, and how many hits there are in all. */
export interface SearchResult {
  rows: SearchRow[];
  total: number;
}

/** One result row of searchEntries. */
export interface SearchRow {
  id: string;
  kind: SearchKind;
  sourceId: string;
  consultationId: string;
  year: number;
  rank: number;
  snippet: string;
  title: string;
  reference: string;
  authority: string;
  state: string;
  councilSlug: string | null;
  councilName: string | null;
}

/**
 * How many years, this one included, the walk of searchEntries reads one at a time when it spans
 * every council (administrators): a council's term and the year before it. Every older entry is
 * one last part.
 */
const WALK_YEARS = 5;

/**
 * One page of results, best first (ts_rank_cd, then the newest entry), each with a ts_headline
 * snippet marked with MARK_START/MARK_END, and the number of hits up to `rankAtMost` + 1 (more
 * than `rankAtMost` says "over"); one statement.
 *
 * The hits are found by the index alone (no tsvector is read), and a consultation's response
 * versions collapse to the newest that matches: a draft saved fifteen times is one result, not
 * fifteen near-copies, while a word found only in an older version still finds it (versions are
 * only added, so the newest is the highest id). Of those, the newest `rankAtMost` are ranked,
 * newest by the consultation's year, then by entry. They are found by walking the years back,
 * and the walk stops at the year where `rankAtMost` + 1 hits are found: a common word reads the
 * hits of the last year or two, not the viewer's whole history. A consultation's entries share
 * its year, so each year's versions collapse on their own. A year filter reads that year alone.
 *
 * For a viewer of some councils, the walk goes from the newest year of their entries to the
 * oldest (a date typed wrongly into the future comes first), each year one lookup of the scoped
 * index per part of what they see (matchesOf): a rare word costs a lookup per part and year of
 * their history, each as cheap as its hits. For every council at once, the walk reads years
 * after this one, then the WALK_YEARS from this one, each one scan of the (council_id, year, tsv)
 * index, then every older year as one part whose scan leaves the year out of the index condition
 * (BENCHMARKS.md, search). Snippets are made only for the page's rows.
 */
export async function searchEntries(
  db: Executor,
  filter: SearchFilter,
  page: { after?: SearchKey; limit: number; rankAtMost: number },
): Promise<SearchResult> {
  const query = tsQueryOf(filter);
  const parts = partitionsFor(filter);
  /** The collapsed hits of the scans, newest entry first. */
  const hitsOf = (scans: PartScan[]) => {
    const matches =
      scans.length === 0
        ? sql`select null::bigint as id, null::text as kind, null::text as source_id, null::uuid as consultation_id, null::int as year where false`
        : sql.join(
            scans.map((scan) => sql`(${matchesOf(db, filter, query, scan)})`),
            sql` union all `,
          );
    return sql`select * from (
        select matches.*, row_number() over (partition by matches.consultation_id, matches.kind order by matches.id desc) as version
        from (${matches}) matches
      ) numbered
      where numbered.kind <> 'response' or numbered.version = 1
      order by numbered.year desc, numbered.id desc`;
  };
  let walked: RawBuilder<unknown>;
  if (parts !== undefined) {
    const inYear = (year: RawBuilder<number>) => hitsOf(parts.map((partition) => ({ partition, year })));
    walked =
      filter.year !== undefined
        ? sql`(${inYear(sql<number>`cast(${filter.year} as integer)`)})`
        : parts.length === 0
          ? sql`(${hitsOf([])})`
          : sql`(select year_hits.* from (
              select max(part.newest) as newest, min(part.oldest) as oldest
              from (${sql.join(
                parts.map((partition) => sql`(${yearBoundsOf(partition)})`),
                sql` union all `,
              )}) part
            ) bounds
            cross join generate_series(bounds.newest, bounds.oldest, -1) as walk(y)
            cross join lateral (${inYear(sql<number>`walk.y`)}) year_hits)`;
  } else {
    const inYears = (condition: RawBuilder<SqlBool>) => hitsOf([{ partition: 'all', inYears: condition }]);
    // The year as it is in Denmark, the calendar the entries' years are counted in, whatever the server's time zone.
    const thisYear = sql<number>`extract(year from now() at time zone 'Europe/Copenhagen')::int`;
    const oldestWalked = sql<number>`(${thisYear} - ${WALK_YEARS - 1}::int)`;
    walked =
      filter.year !== undefined
        ? sql`(${inYears(sql<SqlBool>`search_entries.year = ${filter.year}`)})`
        : sql`(${inYears(sql<SqlBool>`search_entries.year > ${thisYear}`)})
          union all
          (select year_hits.* from generate_series(${thisYear}, ${oldestWalked}, -1) as walk(y)
            cross join lateral (${inYears(sql<SqlBool>`search_entries.year = walk.y`)}) year_hits)
          union all
          -- "+ 0": with the year in its condition, the GIN scan would merge the posting lists of every
          -- older year, each of them spanning all councils.
          (${inYears(sql<SqlBool>`search_entries.year + 0 < ${oldestWalked}`)})`;
  }
  const after = page.after ? sql`where (ranked.rank, ranked.id) < (cast(${page.after.rank} as real), cast(${page.after.id} as bigint))` : sql``;
  const options = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  const statement = sql<SearchRow & { total: string }>`
    with hits as materialized (select * from (${walked}) walked limit ${page.rankAtMost + 1}),
    candidates as (select * from hits order by hits.year desc, hits.id desc limit ${page.rankAtMost}),
    -- Ranked by one primary-key read each: the planner cannot know how few years the walk reads,
    -- and for as many hits as it guesses, a join would read the whole table.
    ranked as (
      select candidates.*, (select ts_rank_cd(entry.tsv, ${query}) from search_entries entry where entry.id = candidates.id) as rank
      from candidates
    ),
    shown as (select * from ranked ${after} order by ranked.rank desc, ranked.id desc limit ${page.limit})
    select totals.total, shown.id, shown.kind, shown.source_id as "sourceId", shown.consultation_id as "consultationId",
      shown.year, shown.rank, ts_headline('danish', ${snippetText}, ${query}, ${options}) as snippet,
      consultations.title, consultations.reference, consultations.authority, consultations.state,
      councils.slug as "councilSlug", councils.name as "councilName"
    from (select count(*) as total from hits) totals
    left join shown on true
    left join search_entries entry on entry.id = shown.id
    ${snippetStart(filter)}
    left join consultations on consultations.id = shown.consultation_id
    left join councils on councils.id = consultations.council_id
    order by shown.rank desc, shown.id desc
  `;
  const result = await withoutParallelWorkers(db, (executor) => statement.execute(executor));
  const total = Number(result.rows[0]?.total ?? 0);
  const rows = result.rows
    .filter((row) => row.id !== null)
    .map(({ total: _total, ...row }) => ({ ...row, id: String(row.id), rank: Number(row.rank) }));
  return { rows, total };
}
