import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The staff overview lists the most recently finished consultations after the open ones. Years of
 * use make most rows final, so sorting a council's (or, for an administrator, every) final row by
 * updated_at on each request would grow with the whole history. Partial indexes of the final rows
 * in that order let each branch read only the rows it shows (src/db/repositories/overview.ts).
 *
 * The predicate spells out FINAL_STATES (workflows/consultation.machine.ts) as the overview's
 * filter writes them (`state in (…)`); test/integration/open-indexes.test.ts fails when they part.
 */
const FINAL = sql`state in ('submitted', 'declined', 'withdrawn')`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index consultations_finished_council_updated_idx on consultations (council_id, updated_at desc, id desc) where ${FINAL}`.execute(
    db,
  );
  await sql`create index consultations_finished_updated_idx on consultations (updated_at desc, id desc) where ${FINAL}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists consultations_finished_updated_idx`.execute(db);
  await sql`drop index if exists consultations_finished_council_updated_idx`.execute(db);
}
