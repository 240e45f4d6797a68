import type { Executor } from '../database.ts';

// The text extracted from the authorities' documents (migration 2026-12-06T0000).

/**
 * The bytes of a document whose text is still to be read, locked for this transaction; undefined
 * when it is gone, done, or being read by another worker (SKIP LOCKED: two processes never read
 * the same file at once).
 */
export function lockPendingDocument(tx: Executor, documentId: number) {
  return tx
    .selectFrom('consultation_documents')
    .select(['id', 'media_type', 'bytes'])
    .where('id', '=', documentId)
    .where('text_status', '=', 'pending')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** The oldest documents still waiting for their text, at most `limit`. */
export async function pendingDocumentIds(db: Executor, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('consultation_documents').select('id').where('text_status', '=', 'pending').orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Records where a document's text extraction ended, with the text when there is one. */
export async function saveDocumentText(
  tx: Executor,
  documentId: number,
  result: { status: 'extracted' | 'no_text' | 'unsupported' | 'failed'; text: string | null; pageCount: number | null; error: string | null },
  at: Date,
): Promise<void> {
  await tx
    .updateTable('consultation_documents')
    .set({ text_status: result.status, extracted_text: result.text, page_count: result.pageCount, text_error: result.error, text_extracted_at: at })
    .where('id', '=', documentId)
    .execute();
}
