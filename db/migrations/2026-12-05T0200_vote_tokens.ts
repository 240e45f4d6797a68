import { sql, type Kysely } from 'kysely';

// Frozen once landed: the written procedure's vote links (one per voter and procedure) and the
// ledger of its mails (the start mail and the reminder, each once per voter).

export async function up(db: Kysely<any>): Promise<void> {
  // A mailed vote link: only the token's SHA-256 is kept, so the database alone casts no vote.
  // One live link per voter and procedure; a newer mail (the reminder) replaces the hash.
  await db.schema
    .createTable('written_procedure_vote_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('procedure_number', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The procedure's closing time: the link casts nothing after it.
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('written_procedure_vote_tokens_voter_key', ['consultation_id', 'procedure_number', 'user_id'])
    .execute();

  // One row per written-procedure mail sent. The unique key is what makes each go out once,
  // however many workers run the job at the same moment: the second insert waits, then does nothing.
  await db.schema
    .createTable('written_procedure_mails')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('procedure_number', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('started', 'reminder')`))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('written_procedure_mails_once', ['consultation_id', 'procedure_number', 'user_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('written_procedure_mails').ifExists().execute();
  await db.schema.dropTable('written_procedure_vote_tokens').ifExists().execute();
}
