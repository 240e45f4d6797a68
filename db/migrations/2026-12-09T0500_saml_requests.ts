import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The SAML requests Rådssvar has sent to the municipality's identity provider and not yet seen
 * answered. An answer is only taken when it answers one of them (InResponseTo), and taking it
 * deletes the row in the same statement, so an answer replayed — to this process or another —
 * finds nothing. Rows older than the validity of a request are deleted as new ones are written.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saml_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('saml_requests_created_at').on('saml_requests').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saml_requests').execute();
}
