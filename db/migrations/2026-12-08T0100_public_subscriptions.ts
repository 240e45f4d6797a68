import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * E-mail subscriptions to a council's public page: a visitor gives an address, confirms it from a
 * mailed link (double opt-in), and is told of every response and set of minutes the council
 * publishes from then on. A row is pending until confirmed (confirmed_at, the consent time);
 * pending rows whose link has expired are purged, and unsubscribing deletes the row, so the table
 * holds only addresses that asked for mail. What was announced is claimed once per item in
 * public_announcements, so each subscriber gets each item once across processes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('public_subscriptions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    // Lower-cased, as emailSchema gives it.
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The SHA-256 of the token in the last confirmation link mailed, hex; null once confirmed.
    .addColumn('confirm_token_hash', 'text', (c) => c.unique())
    .addColumn('confirm_expires_at', 'timestamptz')
    // The consent: when the address confirmed it wants the council's mails. Null while pending.
    .addColumn('confirmed_at', 'timestamptz')
    .addUniqueConstraint('public_subscriptions_council_email_key', ['council_id', 'email'])
    .execute();
  await db.schema
    .createTable('public_announcements')
    // 'response:<consultation id>' or 'minutes:<archived document id>'.
    .addColumn('item_key', 'text', (c) => c.primaryKey())
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('announced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('public_announcements').execute();
  await db.schema.dropTable('public_subscriptions').execute();
}
