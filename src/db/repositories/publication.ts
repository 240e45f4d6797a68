import type { Executor } from '../database.ts';

/** Writes a consultation's publication: why it is not public (null: public) and since when it is on the public page. */
export function setPublication(db: Executor, consultationId: string, publication: { notPublicReason: string | null; publishedAt: Date | null }) {
  return db
    .updateTable('consultations')
    .set({ not_public_reason: publication.notPublicReason, published_at: publication.publishedAt })
    .where('id', '=', consultationId)
    .returning(['state', 'not_public_reason', 'published_at'])
    .executeTakeFirstOrThrow();
}
