import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The queue lists open consultations, soonest deadline first, and years of use make most rows
 * final: walking the (deadline, id) or (council_id, deadline, id) index from the oldest deadline
 * threw away every final row before the first open one, so the queue's cost grew with the whole
 * history. Partial indexes of the open rows alone give the same order with nothing to skip.
 *
 * The predicate spells out the final states as the machine has them (FINAL_STATES in
 * workflows/consultation.machine.ts) and as the queue's filter writes them (`state not in (…)`),
 * since PostgreSQL uses a partial index only when the query's condition implies it;
 * test/integration/open-indexes.test.ts fails when the two lists part.
 */
const OPEN = sql`state not in ('submitted', 'declined', 'withdrawn')`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index consultations_open_deadline_idx on consultations (deadline, id) where ${OPEN}`.execute(db);
  await sql`create index consultations_open_council_deadline_idx on consultations (council_id, deadline, id) where ${OPEN}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists consultations_open_council_deadline_idx`.execute(db);
  await sql`drop index if exists consultations_open_deadline_idx`.execute(db);
}
