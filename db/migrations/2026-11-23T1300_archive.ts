import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

export async function up(db: Kysely<any>): Promise<void> {
  // A PDF is already compressed: storing it out of line without trying pglz again saves the CPU
  // of a compression attempt that fails on every archived letter.
  await sql`alter table archived_documents alter column pdf set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table archived_documents alter column pdf set storage extended`.execute(db);
}
