import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * What came of a response ("Hvad kom der ud af svaret"): after submission the secretary or chair
 * records what the authority did with it — taken into account, partly, not, or unknown — with a
 * note and a link (e.g. to the authority's høringsnotat). The latest record is on the row; each
 * record is also a row on the timeline.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consultations')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('taken_into_account', 'partly', 'not_taken', 'unknown')`))
    .addColumn('outcome_note', 'text')
    .addColumn('outcome_url', 'text')
    .addColumn('outcome_recorded_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consultations')
    .dropColumn('outcome')
    .dropColumn('outcome_note')
    .dropColumn('outcome_url')
    .dropColumn('outcome_recorded_at')
    .execute();
}
