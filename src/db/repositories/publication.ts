import type { Executor } from '../database.ts';
import type { ResponseOutcome } from '../types.ts';

/** Writes a consultation's publication: why it is not public (null: public) and since when it is on the public page. */
export function setPublication(db: Executor, consultationId: string, publication: { notPublicReason: string | null; publishedAt: Date | null }) {
  return db
    .updateTable('consultations')
    .set({ not_public_reason: publication.notPublicReason, published_at: publication.publishedAt })
    .where('id', '=', consultationId)
    .returning(['state', 'not_public_reason', 'published_at'])
    .executeTakeFirstOrThrow();
}

/** Writes what came of a submitted response; returns the outcome columns as stored. */
export function writeResponseOutcome(
  db: Executor,
  consultationId: string,
  outcome: { outcome: ResponseOutcome; note: string | null; url: string | null; at: Date },
) {
  return db
    .updateTable('consultations')
    .set({ outcome: outcome.outcome, outcome_note: outcome.note, outcome_url: outcome.url, outcome_recorded_at: outcome.at })
    .where('id', '=', consultationId)
    .returning(['outcome', 'outcome_note', 'outcome_url', 'outcome_recorded_at'])
    .executeTakeFirstOrThrow();
}
