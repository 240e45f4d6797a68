import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * A search reads the entries of the viewer's councils only (src/db/repositories/search.ts). With
 * the tsvector alone in the GIN index, PostgreSQL had two poor plans: every entry in the table with
 * the word, or every entry of the viewer's councils tested one by one, so a search cost grew with
 * the history of all councils or of the viewer's. A GIN index over (council_id, tsv) finds the
 * entries that have both at once. btree_gin gives GIN the equality of an integer; like pg_trgm it
 * is a trusted extension, which the database's owner may create. The index also serves a query on
 * the tsvector alone, so it replaces the one-column index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists btree_gin`.execute(db);
  await sql`create index search_entries_council_tsv_idx on search_entries using gin (council_id, tsv)`.execute(db);
  await sql`drop index if exists search_entries_tsv_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists search_entries_tsv_idx on search_entries using gin (tsv)`.execute(db);
  await sql`drop index if exists search_entries_council_tsv_idx`.execute(db);
}
