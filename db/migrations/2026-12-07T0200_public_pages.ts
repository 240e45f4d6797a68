import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The council's public page (/r/<slug>). A submitted response is public unless the secretary or
 * chair said it is not, with a reason, before or at submission (`not_public_reason`); it is public
 * from `published_at`, and the council can take it off the page again (`published_at` back to
 * null). Each change is also a row on the consultation's timeline; the archive never changes.
 * The council describes itself (`public_description`, Markdown) with an address to write to, and
 * each member chooses whether they are listed, with their organisation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consultations').addColumn('not_public_reason', 'text').addColumn('published_at', 'timestamptz').execute();
  await sql`create index consultations_published_idx on consultations (council_id, published_at desc) where published_at is not null`.execute(db);
  await db.schema
    .alterTable('councils')
    .addColumn('public_description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('public_email', 'text')
    .execute();
  await db.schema
    .alterTable('memberships')
    .addColumn('listed_publicly', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('organisation', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').dropColumn('listed_publicly').dropColumn('organisation').execute();
  await db.schema.alterTable('councils').dropColumn('public_description').dropColumn('public_email').execute();
  await sql`drop index if exists consultations_published_idx`.execute(db);
  await db.schema.alterTable('consultations').dropColumn('not_public_reason').dropColumn('published_at').execute();
}
