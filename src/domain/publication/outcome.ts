import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { insertEvent, lockConsultation } from '../../db/repositories/consultations.ts';
import { writeResponseOutcome } from '../../db/repositories/publication.ts';
import type { ResponseOutcome } from '../../db/types.ts';
import type { Actor } from '../access/actor.ts';
import { mayActorPublish, mayActorSee } from '../consultations/policy.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid, optionalText, parseInput } from '../validation.ts';

/** The outcomes, in the order the form offers them. */
export const RESPONSE_OUTCOMES = ['taken_into_account', 'partly', 'not_taken', 'unknown'] as const satisfies readonly ResponseOutcome[];

/** Danish words for an outcome. */
export const RESPONSE_OUTCOME_LABELS: Record<ResponseOutcome, string> = {
  taken_into_account: 'Svaret blev taget til følge',
  partly: 'Svaret blev delvist taget til følge',
  not_taken: 'Svaret blev ikke taget til følge',
  unknown: 'Det vides ikke, hvad der kom ud af svaret',
};

/** What came of a response, as the consultation page and the public page show it. */
export interface ResponseOutcomeView {
  outcome: ResponseOutcome;
  label: string;
  note: string | null;
  url: string | null;
  recordedAt: Date;
}

/** The recorded outcome of a row, or null. */
export function outcomeOf(row: {
  outcome: ResponseOutcome | null;
  outcome_note: string | null;
  outcome_url: string | null;
  outcome_recorded_at: Date | null;
}): ResponseOutcomeView | null {
  if (!row.outcome || !row.outcome_recorded_at) return null;
  return {
    outcome: row.outcome,
    label: RESPONSE_OUTCOME_LABELS[row.outcome],
    note: row.outcome_note,
    url: row.outcome_url,
    recordedAt: row.outcome_recorded_at,
  };
}

const httpUrl = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  z
    .url({ protocol: /^https?$/, error: 'Skriv en adresse, der begynder med https:// eller http://' })
    .max(2000, 'Højst 2000 tegn')
    .nullable()
    .optional(),
);

/** The outcome form. */
export const outcomeSchema = z.object({
  outcome: z.enum(RESPONSE_OUTCOMES, { error: 'Vælg hvad der kom ud af svaret' }),
  note: optionalText(2000),
  url: httpUrl,
});

/**
 * Records what the authority did with a submitted response, by the council's secretary or chair
 * (or an administrator); a later record replaces the shown one, and every record is a row on the
 * timeline. The link is only ever shown as a link: nothing fetches it.
 *
 * @throws AppError NOT_FOUND when the actor may not see the consultation, FORBIDDEN when they may
 *   see but not record, TRANSITION_NOT_ALLOWED before submission, VALIDATION_FAILED for bad input.
 */
export async function recordResponseOutcome(
  deps: { db: Db; clock: () => Date },
  actor: Actor,
  id: string,
  input: unknown,
): Promise<ResponseOutcomeView> {
  const form = parseInput(outcomeSchema, input);
  return deps.db.transaction().execute(async (tx) => {
    const row = isUuid(id) ? await lockConsultation(tx, id) : undefined;
    if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
    if (!mayActorPublish(actor, row.council_id))
      throw new AppError('FORBIDDEN', 'Kun rådets sekretær og formand registrerer, hvad der kom ud af svaret');
    if (row.state !== 'submitted') {
      throw new AppError('TRANSITION_NOT_ALLOWED', 'Svaret er ikke sendt endnu', { meta: { reason: 'NOT_SUBMITTED', state: row.state } });
    }
    const now = deps.clock();
    const written = await writeResponseOutcome(tx, row.id, { outcome: form.outcome, note: form.note ?? null, url: form.url ?? null, at: now });
    await insertEvent(tx, {
      consultationId: row.id,
      actorId: actor.userId,
      type: 'OUTCOME_RECORDED',
      fromState: row.state,
      toState: row.state,
      payload: { outcome: form.outcome, note: form.note ?? null, url: form.url ?? null },
    });
    return outcomeOf(written)!;
  });
}
