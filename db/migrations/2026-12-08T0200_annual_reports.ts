import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The annual report (årsberetning) of a council and a year: the figures are computed from the
 * case data each time; what is kept here is what people write (the chair's foreword, the themes
 * of the year, the activities; Markdown) and, once the council publishes it, the PDF as published,
 * so the public page serves those bytes and never renders for an anonymous visitor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('annual_reports')
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull().check(sql`year between 2000 and 2100`))
    .addColumn('foreword', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('themes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('activities', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('published_pdf', 'bytea')
    .addColumn('published_sha256', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addPrimaryKeyConstraint('annual_reports_pkey', ['council_id', 'year'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('annual_reports').execute();
}
