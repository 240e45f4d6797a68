import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * Membership terms. A person sits on a council for a term (`term_start`–`term_end`, both days
 * included); access follows the term, authorship does not (the row stays, so what they wrote
 * stays attributed to them). The default is the municipal election period that covers today:
 * Danish municipal elections are held in November 2021, 2025, 2029 …, and a period runs from
 * 1 January after the election to 31 December four years later (2022–2025, 2026–2029 …).
 * `term_reminders` records each (council, term end) a reminder mail went out for, so it goes out once.
 */
const periodStart = sql`make_date(2022 + 4 * floor((extract(year from now() at time zone 'Europe/Copenhagen')::int - 2022) / 4.0)::int, 1, 1)`;
const periodEnd = sql`make_date(2025 + 4 * floor((extract(year from now() at time zone 'Europe/Copenhagen')::int - 2022) / 4.0)::int, 12, 31)`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('memberships')
    .addColumn('term_start', 'date', (c) => c.notNull().defaultTo(periodStart))
    .addColumn('term_end', 'date', (c) => c.notNull().defaultTo(periodEnd))
    .execute();
  await sql`alter table memberships add constraint memberships_term_order check (term_start <= term_end)`.execute(db);
  await db.schema.createIndex('memberships_term_end_idx').on('memberships').columns(['term_end', 'council_id']).execute();
  await db.schema
    .createTable('term_reminders')
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('term_end', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('term_reminders_pkey', ['council_id', 'term_end'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('term_reminders').execute();
  await db.schema.dropIndex('memberships_term_end_idx').execute();
  await db.schema.alterTable('memberships').dropConstraint('memberships_term_order').execute();
  await db.schema.alterTable('memberships').dropColumn('term_start').dropColumn('term_end').execute();
}
