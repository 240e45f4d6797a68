import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** Runs `select 1`; rejects when the database does not answer. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
