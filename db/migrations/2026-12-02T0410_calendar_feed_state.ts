import type { Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * A calendar feed answers conditional requests (ETag, Last-Modified). The ETag is the SHA-256 of
 * the feed's text, which depends only on what the feed shows; but a time of last change cannot be
 * read off the events alone when something leaves the feed (a meeting deleted, a consultation
 * decided or moved out of the window, a council left). So each feed token keeps the hash of the
 * text it last served and when that text first appeared: a different hash moves the time on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('calendar_tokens').addColumn('served_sha256', 'text').addColumn('served_changed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('calendar_tokens').dropColumn('served_sha256').dropColumn('served_changed_at').execute();
}
