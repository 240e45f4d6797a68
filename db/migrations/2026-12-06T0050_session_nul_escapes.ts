import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * Sessions stored with the JSON escape \u0000 (a form sent back with a NUL in a field) cannot be
 * read by PostgreSQL's json operators, and one of them broke every statement that reads `sess`:
 * its own page requests, and ending any user's sessions after a password change, which scans
 * them all. The app now stores a NUL as U+FFFD (sessionJson, src/domain/auth/sessions.ts); the
 * sessions stored before are removed (their visitors log in again). The text test may also match
 * an escaped backslash followed by "u0000", which only logs that visitor out too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`delete from session where strpos(sess::text, ${'\\u0000'}) > 0`.execute(db);
}

/** Down: nothing to restore. */
export async function down(): Promise<void> {}
