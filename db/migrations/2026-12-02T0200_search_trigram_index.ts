import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The search matches `ILIKE '%words%'` on a consultation's title, authority, reference and the
 * authority's reference. A B-tree cannot serve a pattern with a leading wildcard, so without this
 * index a search read every row (or walked the deadline index throwing nearly all away). A trigram
 * GIN index over the four columns lets PostgreSQL find the few matching rows and sort only those.
 * pg_trgm is a trusted extension: the database's owner may create it without being superuser.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create index consultations_search_trgm_idx on consultations
    using gin (title gin_trgm_ops, authority gin_trgm_ops, reference gin_trgm_ops, authority_reference gin_trgm_ops)
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists consultations_search_trgm_idx`.execute(db);
}
