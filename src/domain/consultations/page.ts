import { outcomeOf, type ResponseOutcomeView } from '../publication/outcome.ts';
import { publicationOf, type Publication } from '../publication/service.ts';
import { diffWordsWithSpace } from 'diff';
import { findConsultationInternals, findConsultationPage } from '../../db/repositories/consultations.ts';
import type { Actor } from '../access/actor.ts';
import { roleIn } from '../access/actor.ts';
import { mayActorPublish, mayActorReadInternals, viewerOf } from './policy.ts';
import { earlierResponseView, type EarlierResponseView } from './earlier.ts';
import { commentView, mayCommentNow, type DraftCommentView } from './comments.ts';
import { documentView, type DocumentView } from './documents.ts';
import { adviceForConsultation, type ConsultationAdvice } from '../deadlines/service.ts';
import { readConsultationWith, type ConsultationDeps, type ConsultationDetails } from './service.ts';
import { mayActorSeeStatusLink, statusUrlOfNonce, type StatusLinkDeps } from './status-links.ts';

/** One saved response version, listed without its text. */
export interface VersionSummary {
  number: number;
  savedAt: Date;
  savedBy: string | null;
  length: number;
}

/** One piece of a diff: unchanged, inserted or deleted text. */
export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Everything the consultation page shows, for one actor. */
export interface ConsultationPage {
  consultation: ConsultationDetails;
  documents: DocumentView[];
  comments: DraftCommentView[];
  mayComment: boolean;
  versions: VersionSummary[];
  diff: { from: number; to: number; parts: DiffPart[] } | null;
  statusUrl: string | null;
  mayRenewStatusLink: boolean;
  /** Staff read; they never act. */
  readOnly: boolean;
  /**
   * Whether the page shows the council's internals (draft, versions, diff, comments, preview);
   * without, `comments` and `versions` are empty and `diff` is null (mayActorReadInternals).
   */
  mayReadInternals: boolean;
  /** The deadline compared with the council's next meetings; null when closed or without a council. */
  advice: ConsultationAdvice | null;
  /**
   * "Tidligere høringssvar": the council's most similar submitted responses, at most five; only for
   * those who may edit the draft now (else empty).
   */
  earlier: EarlierResponseView[];
  /** Whether the response is (or will be) on the council's public page; null for those who may not see that (staff, outsiders). */
  publication: Publication | null;
  /** Whether the actor may change it (mayActorPublish). */
  mayPublish: boolean;
  /** What came of the submitted response, as recorded; for everyone who sees the consultation. */
  outcome: ResponseOutcomeView | null;
  /** Whether the actor may record it now (submitted, secretary or chair). */
  mayRecordOutcome: boolean;
}

/** The word-level difference between two texts, in order. */
export function diffTexts(before: string, after: string): DiffPart[] {
  return diffWordsWithSpace(before, after).map((change) => ({
    kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
    text: change.value,
  }));
}

/**
 * The consultation page for an actor: the consultation, its documents, the comments, the saved
 * versions, a diff between versions `from` and `to` when asked, the status link for those who may see it
 * and the deadline advice. The consultation is read once, with its draft, timeline, documents,
 * meetings and status link; nothing is written.
 */
export async function getConsultationPage(
  deps: ConsultationDeps & StatusLinkDeps,
  actor: Actor,
  id: string,
  options: { diffFrom?: number; diffTo?: number } = {},
): Promise<ConsultationPage> {
  const now = deps.clock();
  // One round trip for the consultation, its documents, its council's coming meetings and its
  // status link; a second, only for those who may read the internals, for the versions and comments.
  const { consultation, row } = await readConsultationWith(deps, actor, id, (db, consultationId) => findConsultationPage(db, consultationId, now));
  const internals = mayActorReadInternals(actor, row);
  // Earlier answers are read with the internals (no extra round trip), and only for whoever may
  // edit the draft now: they are material for writing, and reading them costs a ranked query.
  const earlierFor =
    consultation.mayEditDraft && row.council_id !== null
      ? {
          consultationId: id,
          councilId: row.council_id,
          authority: row.authority,
          text: `${row.title} ${row.summary ?? ''}`.trim(),
          viewer: viewerOf(actor),
        }
      : undefined;
  const inside = internals ? await findConsultationInternals(deps.db, id, earlierFor) : { versions: [], comments: [], earlier: [] };
  const comments = inside.comments.map(commentView);
  const versions = inside.versions;
  const meetings = row.meetings.map((m) => ({ starts_at: new Date(m.starts_at), place: m.place }));
  const statusUrl = mayActorSeeStatusLink(actor, row) && row.statusLinkNonce ? statusUrlOfNonce(deps.config, row.statusLinkNonce) : null;
  let diff: ConsultationPage['diff'] = null;
  const from = versions.find((v) => v.number === options.diffFrom);
  const to = versions.find((v) => v.number === options.diffTo);
  if (from && to) diff = { from: from.number, to: to.number, parts: diffTexts(from.body, to.body) };
  const role = roleIn(actor, row.council_id);
  const publication = internals && row.council_id !== null ? publicationOf(row) : null;
  return {
    consultation,
    documents: row.documents.map(documentView),
    comments,
    mayComment: mayCommentNow(actor, row.council_id, row.state, !!consultation.draft),
    versions: versions
      .map((v) => ({ number: v.number, savedAt: new Date(v.created_at), savedBy: v.authorName ?? null, length: v.body.length }))
      .reverse(),
    diff,
    statusUrl,
    mayRenewStatusLink:
      mayActorSeeStatusLink(actor, row) && (actor.isAdmin || role === 'secretary' || (row.council_id === null && row.created_by === actor.userId)),
    readOnly: role === 'staff' && !actor.isAdmin,
    mayReadInternals: internals,
    advice: adviceForConsultation(actor, consultation, meetings, now),
    earlier: inside.earlier.map(earlierResponseView),
    publication,
    mayPublish: publication !== null && mayActorPublish(actor, row.council_id) && publication.status !== 'no_response',
    outcome: outcomeOf(row),
    mayRecordOutcome: row.state === 'submitted' && row.council_id !== null && mayActorPublish(actor, row.council_id),
  };
}
