import { sql, type Kysely } from 'kysely';

// Frozen once landed: consultation documents, member comments on drafts, and public status links.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consultation_documents')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('consultation_documents_consultation_idx').on('consultation_documents').column('consultation_id').execute();

  await db.schema
    .createTable('draft_comments')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('consultation_id', 'uuid', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('response_version_number', 'integer')
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('draft_comments_consultation_idx').on('draft_comments').columns(['consultation_id', 'created_at']).execute();

  // The token is an HMAC of `nonce` under the server's secret: the database alone (a backup, a
  // leak) never yields a working link, and lookups go by the token's SHA-256. Renewing replaces
  // the row, so the old link dies.
  await db.schema
    .createTable('consultation_status_links')
    .addColumn('consultation_id', 'uuid', (c) => c.primaryKey().references('consultations.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consultation_status_links').execute();
  await db.schema.dropTable('draft_comments').execute();
  await db.schema.dropTable('consultation_documents').execute();
}
