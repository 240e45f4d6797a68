import { z } from 'zod';
import { findConsultationRow, latestResponseVersion } from '../../db/repositories/consultations.ts';
import { insertDraftComment } from '../../db/repositories/consultation-extras.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { parseInput, requiredText } from '../validation.ts';
import { mayActorSee } from './policy.ts';
import type { ConsultationDeps } from './service.ts';

/** A comment on a draft as the page shows it. */
export interface DraftCommentView {
  id: number;
  versionNumber: number | null;
  body: string;
  at: Date;
  author: string | null;
}

/** A comment on a draft: plain text, escaped wherever it is shown. */
export const draftCommentSchema = z.object({ body: requiredText(5000, 'Skriv en kommentar') });

/** States in which a draft is open for the council's comments. */
const COMMENTABLE_STATES = ['drafting', 'awaiting_approval'];

/** True when the actor may comment on a council's drafts: its members, chair and secretary (not staff). */
export function mayActorComment(actor: Actor, councilId: number | null): boolean {
  const role = roleIn(actor, councilId);
  return role === 'secretary' || role === 'chair' || role === 'member';
}

/** Adds a comment to the newest draft; NOT_FOUND when the actor may not see it, FORBIDDEN for staff and outsiders. */
export async function addDraftComment(deps: ConsultationDeps, actor: Actor, id: string, input: unknown): Promise<void> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await findConsultationRow(deps.db, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  if (!mayActorComment(actor, row.council_id)) throw forbidden('Kun rådets medlemmer, formand og sekretær kan kommentere udkast');
  const values = parseInput(draftCommentSchema, input);
  const draft = await latestResponseVersion(deps.db, id);
  if (!draft || !COMMENTABLE_STATES.includes(row.state)) {
    throw new AppError('TRANSITION_NOT_ALLOWED', 'Der kan kun kommenteres på et udkast under udarbejdelse eller godkendelse');
  }
  await insertDraftComment(deps.db, { consultationId: id, responseVersionNumber: draft.number, authorId: actor.userId, body: values.body });
}

/** A comment on a draft as shown; `created_at` may be the ISO string of a row read as JSON. */
export function commentView(r: {
  id: number;
  response_version_number: number | null;
  body: string;
  created_at: Date | string;
  authorName: string | null;
}): DraftCommentView {
  return { id: r.id, versionNumber: r.response_version_number, body: r.body, at: new Date(r.created_at), author: r.authorName ?? null };
}

/** Whether the draft of a consultation in `state` takes comments from the actor now. */
export function mayCommentNow(actor: Actor, councilId: number | null, state: string, hasDraft: boolean): boolean {
  return hasDraft && COMMENTABLE_STATES.includes(state) && mayActorComment(actor, councilId);
}
