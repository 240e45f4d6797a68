import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * A search of a council's entries reads one (council, year) at a time (searchEntries in
 * src/db/repositories/search.ts). In the GIN index over (council_id, year, tsv), btree_gin keeps
 * the council, the year and each word as keys of their own, so one such scan intersected the
 * posting lists of the council (all its years), of the year (all councils) and of the word (the
 * whole table): its cost grew with the table, not with the hits (BENCHMARKS.md, search).
 *
 * This index keys each word by its council and year: `search_scoped` turns an entry's lexemes
 * into `<council>/<year>/<lexeme>` (no council: an empty one), and `search_scoped_query` puts the
 * same scope before every lexeme of a query. A (council, year, word) is then one key, whose
 * posting list holds exactly its hits; a prefix word (`:*`) is a range of keys within the scope.
 * Council and year are digits, so the first two slashes end them whatever the lexeme holds. The
 * lexemes lose their positions and weights, which only ranking and snippets read, from `tsv`.
 * An expression index: nothing more is stored in the table, and a state change, which updates
 * neither council, year nor text, stays a HOT update.
 *
 * The btree over (council_id, year) gives the first and last year of a council's entries at
 * once, where the walk starts and ends. The (council_id, year, tsv) index stays for searches that
 * span every council (administrators, the public search of all councils).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function search_scoped(council integer, year integer, tsv tsvector) returns tsvector
    language sql immutable parallel safe as $$
      select array_to_tsvector(array(select concat(council, '/', year, '/', lexeme) from unnest(tsvector_to_array(tsv)) lexeme))
    $$
  `.execute(db);
  // tsquery's text form quotes every lexeme, doubling a quote inside it: the pattern finds each
  // quoted lexeme, and what follows it (`:*`) stays.
  await sql`
    create function search_scoped_query(query tsquery, council integer, year integer) returns tsquery
    language sql immutable parallel safe as $$
      select regexp_replace(query::text, $re$'((?:[^']|'')*)'$re$, concat('''', council, '/', year, '/\\1'''), 'g')::tsquery
    $$
  `.execute(db);
  await sql`create index search_entries_scoped_idx on search_entries using gin (search_scoped(council_id, year, tsv))`.execute(db);
  await sql`create index search_entries_council_year_idx on search_entries (council_id, year)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists search_entries_council_year_idx`.execute(db);
  await sql`drop index if exists search_entries_scoped_idx`.execute(db);
  await sql`drop function if exists search_scoped_query(tsquery, integer, integer)`.execute(db);
  await sql`drop function if exists search_scoped(integer, integer, tsvector)`.execute(db);
}
