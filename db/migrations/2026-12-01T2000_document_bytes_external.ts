import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * Downloads read a document in slices (substring(bytes from … for …)); PostgreSQL then fetches
 * only the TOAST chunks of that slice when the value is stored uncompressed. PDF, DOCX and ODT are
 * compressed already, so compressing them again gains nothing and would make every slice
 * decompress the value from its start. Values already stored keep their storage: pglz gives up on
 * such files and stores nearly all of them uncompressed anyway, so they are not rewritten.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consultation_documents alter column bytes set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table consultation_documents alter column bytes set storage extended`.execute(db);
}
