import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The text of an authority's document, extracted after it is stored (a pg-boss job), so that
 * search can find a consultation by a word in its documents. `text_status` says where the
 * extraction stands: pending (queued), extracted, no_text (a scanned PDF without a text layer),
 * unsupported (a format without a reader) or failed (with `text_error`, in Danish, for the page).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consultation_documents')
    .addColumn('text_status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`text_status in ('pending', 'extracted', 'no_text', 'unsupported', 'failed')`),
    )
    .addColumn('extracted_text', 'text')
    .addColumn('text_error', 'text')
    .addColumn('page_count', 'integer')
    .addColumn('text_extracted_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consultation_documents')
    .dropColumn('text_status')
    .dropColumn('extracted_text')
    .dropColumn('text_error')
    .dropColumn('page_count')
    .dropColumn('text_extracted_at')
    .execute();
}
