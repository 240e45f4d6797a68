import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * Consultations that arrive by themselves: a council's intake mailbox (IMAP), polled by a job,
 * and a watch of Høringsportalen's feed. A mail or a hearing becomes a consultation marked with
 * its source (consultations.intake_source) that waits for the secretary to confirm its deadline
 * (intake_confirmed_at); the sentence the deadline was read from is kept beside it.
 *
 * intake_mails holds every mail seen, keyed by the mailbox's UIDVALIDITY and UID and by its
 * Message-ID, so nothing is ingested twice; a mail that failed keeps its bytes and its error, to
 * be shown and tried again. The mailbox's password is stored encrypted (it must be sent to the
 * server), never in clear; the poll lease lets one process at a time poll a mailbox or a feed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consultations')
    .addColumn('intake_source', 'text', (c) => c.check(sql`intake_source in ('mail', 'feed')`))
    .addColumn('intake_confirmed_at', 'timestamptz')
    .addColumn('intake_deadline_sentence', 'text')
    .addColumn('intake_note', 'text')
    .execute();
  await db.schema
    .createIndex('consultations_intake_pending_idx')
    .on('consultations')
    .column('council_id')
    .where(sql.ref('intake_source'), 'is not', null)
    .where(sql.ref('intake_confirmed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('intake_mailboxes')
    .addColumn('council_id', 'integer', (c) => c.primaryKey().references('councils.id').onDelete('cascade'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('tls', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('username', 'text', (c) => c.notNull())
    // AES-256-GCM (src/domain/tokens/secret-box.ts): iv, tag and ciphertext, base64url.
    .addColumn('password_sealed', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull().defaultTo('INBOX'))
    .addColumn('after_processing', 'text', (c) =>
      c
        .notNull()
        .defaultTo('move')
        .check(sql`after_processing in ('move', 'flag')`),
    )
    .addColumn('processed_folder', 'text', (c) => c.notNull().defaultTo('Behandlet'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // The folder's UIDVALIDITY when last read and the highest UID handled under it (IMAP UIDs are 32-bit unsigned).
    .addColumn('uid_validity', 'bigint')
    .addColumn('last_uid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_polled_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('intake_mails')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('uid', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('sender', 'text')
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // received: waiting to be read; ingested: a consultation was made; duplicate: its Message-ID was already ingested; failed: see error.
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('received', 'ingested', 'duplicate', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    // Kept until the mail is ingested, so a failed mail can be read again.
    .addColumn('raw', 'bytea')
    .addColumn('consultation_id', 'uuid', (c) => c.references('consultations.id').onDelete('set null'))
    .addUniqueConstraint('intake_mails_uid_key', ['council_id', 'uid_validity', 'uid'])
    .execute();
  await sql`create unique index intake_mails_message_id_key on intake_mails (council_id, message_id)
    where message_id is not null and status = 'ingested'`.execute(db);
  await sql`create index intake_mails_failed_idx on intake_mails (council_id) where status = 'failed'`.execute(db);

  await db.schema
    .createTable('feed_watches')
    .addColumn('council_id', 'integer', (c) => c.primaryKey().references('councils.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('keywords', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('authorities', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_polled_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('feed_suggestions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    // The entry's Atom id (or its link): a hearing is suggested once per council.
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('authority', 'text')
    .addColumn('summary', 'text')
    .addColumn('deadline', 'timestamptz')
    .addColumn('deadline_sentence', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('found_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'accepted', 'dismissed')`),
    )
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('consultation_id', 'uuid', (c) => c.references('consultations.id').onDelete('set null'))
    .addUniqueConstraint('feed_suggestions_entry_key', ['council_id', 'entry_id'])
    .execute();
  await sql`create index feed_suggestions_pending_idx on feed_suggestions (council_id) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feed_suggestions').execute();
  await db.schema.dropTable('feed_watches').execute();
  await db.schema.dropTable('intake_mails').execute();
  await db.schema.dropTable('intake_mailboxes').execute();
  await db.schema.dropIndex('consultations_intake_pending_idx').execute();
  await db.schema
    .alterTable('consultations')
    .dropColumn('intake_note')
    .dropColumn('intake_deadline_sentence')
    .dropColumn('intake_confirmed_at')
    .dropColumn('intake_source')
    .execute();
}
