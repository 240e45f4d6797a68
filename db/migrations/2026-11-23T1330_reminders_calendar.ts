import { sql, type Kysely } from 'kysely';

// Frozen once landed: reminders sent (the exactly-once ledger), reminder opt-outs and calendar feed tokens.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per reminder ever sent. The unique key is what makes a reminder go out once, however
  // many app processes run the reminder job at the same moment: the second insert does nothing.
  await db.schema
    .createTable('sent_reminders')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('deadline', 'approval')`))
    .addColumn('threshold', 'integer', (c) => c.notNull())
    // What the reminder was about: the deadline (ISO) for deadline reminders, so a moved deadline
    // is reminded of again; the approval request's event id for approval reminders.
    .addColumn('occasion', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('sent_reminders_once', ['consultation_id', 'user_id', 'kind', 'threshold', 'occasion'])
    .execute();

  await db.schema
    .createTable('reminder_opt_outs')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('council_id', 'integer', (c) => c.notNull().references('councils.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('reminder_opt_outs_pk', ['user_id', 'council_id'])
    .execute();

  await db.schema
    .createTable('calendar_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // null: the user's own feed over all their councils.
    .addColumn('council_id', 'integer', (c) => c.references('councils.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create unique index calendar_tokens_live_idx on calendar_tokens (user_id, coalesce(council_id, 0)) where revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['calendar_tokens', 'reminder_opt_outs', 'sent_reminders']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
