import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * A search walks the years back from this one and stops when it has enough hits
 * (searchEntries in src/db/repositories/search.ts), so a common word reads the last year or two
 * of the viewer's councils, not their whole history. Each year is one scan of a GIN index over
 * (council_id, year, tsv), which finds the entries of a council, a year and a word at once; it
 * serves every query the (council_id, tsv) index served, which it replaces.
 *
 * A prefix word (`strat*`) is matched by the exact words it begins, read from search_words by
 * `like 'strat%'`: text_pattern_ops lets a btree answer a prefix whatever the collation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists btree_gin`.execute(db);
  await sql`create index search_entries_council_year_tsv_idx on search_entries using gin (council_id, year, tsv)`.execute(db);
  await sql`drop index if exists search_entries_council_tsv_idx`.execute(db);
  await sql`create index search_words_prefix_idx on search_words (word text_pattern_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists search_words_prefix_idx`.execute(db);
  await sql`create index if not exists search_entries_council_tsv_idx on search_entries using gin (council_id, tsv)`.execute(db);
  await sql`drop index if exists search_entries_council_year_tsv_idx`.execute(db);
}
