import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { insertEvent, lockConsultation } from '../../db/repositories/consultations.ts';
import { setPublication as writePublication } from '../../db/repositories/publication.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import { mayActorPublish, mayActorSee } from '../consultations/policy.ts';
import { isUuid, optionalText, parseInput } from '../validation.ts';

/** Where a consultation's response stands towards the council's public page. */
export type PublicationStatus =
  /** Not submitted yet: it will be public when submitted. */
  | 'will_publish'
  /** Not submitted yet, and marked "ikke offentlig". */
  | 'will_not_publish'
  /** Submitted and on the public page. */
  | 'published'
  /** Submitted, and not on the public page (marked before, at or after submission). */
  | 'not_published'
  /** Declined or withdrawn: there is no response to publish. */
  | 'no_response';

/** The publication of one consultation, as its page shows it. */
export interface Publication {
  status: PublicationStatus;
  reason: string | null;
  publishedAt: Date | null;
}

/** A consultation's publication, from its row. */
export function publicationOf(row: { state: string; not_public_reason: string | null; published_at: Date | null }): Publication {
  const reason = row.not_public_reason;
  if (row.state === 'declined' || row.state === 'withdrawn') return { status: 'no_response', reason, publishedAt: null };
  if (row.state === 'submitted') return { status: row.published_at ? 'published' : 'not_published', reason, publishedAt: row.published_at };
  return { status: reason === null ? 'will_publish' : 'will_not_publish', reason, publishedAt: null };
}

/** What the publication form sends: public or not, and why not. */
export const publicationSchema = z
  .object({
    public: z.enum(['yes', 'no'], { error: 'Vælg om svaret er offentligt' }),
    reason: optionalText(1000),
  })
  .superRefine((value, ctx) => {
    if (value.public === 'no' && !value.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Skriv hvorfor svaret ikke er offentligt' });
    }
  });

/**
 * Says whether a consultation's response is public, by the council's secretary or chair (or an
 * administrator): before submission it marks what will happen at submission; after it, it takes
 * the response off the public page or puts it back. The archive never changes; each change is a
 * row on the timeline, in the same transaction.
 *
 * @throws AppError NOT_FOUND when the actor may not see the consultation, FORBIDDEN when they
 *   may see but not decide this, VALIDATION_FAILED without a reason for "not public",
 *   TRANSITION_NOT_ALLOWED for a declined or withdrawn consultation.
 */
export async function setPublication(deps: { db: Db; clock: () => Date }, actor: Actor, id: string, input: unknown): Promise<Publication> {
  const wanted = parseInput(publicationSchema, input);
  return deps.db.transaction().execute(async (tx) => {
    const row = isUuid(id) ? await lockConsultation(tx, id) : undefined;
    if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
    if (!mayActorPublish(actor, row.council_id)) throw new AppError('FORBIDDEN', 'Kun rådets sekretær og formand bestemmer, om svaret er offentligt');
    const current = publicationOf(row);
    if (current.status === 'no_response') {
      throw new AppError('TRANSITION_NOT_ALLOWED', 'Høringen blev ikke besvaret, så der er intet svar at offentliggøre', {
        meta: { reason: 'NO_RESPONSE', state: row.state },
      });
    }
    const makePublic = wanted.public === 'yes';
    const reason = makePublic ? null : wanted.reason!;
    const submitted = row.state === 'submitted';
    const publishedAt = submitted && makePublic ? (row.published_at ?? deps.clock()) : null;
    const unchanged = row.not_public_reason === reason && (row.published_at?.getTime() ?? null) === (publishedAt?.getTime() ?? null);
    if (unchanged) return current;
    const written = await writePublication(tx, row.id, { notPublicReason: reason, publishedAt });
    const type = submitted ? (makePublic ? 'PUBLISHED' : 'UNPUBLISHED') : makePublic ? 'MARKED_PUBLIC' : 'MARKED_NOT_PUBLIC';
    await insertEvent(tx, {
      consultationId: row.id,
      actorId: actor.userId,
      type,
      fromState: row.state,
      toState: row.state,
      payload: reason ? { reason } : {},
    });
    return publicationOf(written);
  });
}
