import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { getConsultation, saveDraft, sendEvent } from '../../domain/consultations/service.ts';
import { confirmArrivedConsultation } from '../../domain/consultations/arrivals.ts';
import { getConsultationPage, type ConsultationPage } from '../../domain/consultations/page.ts';
import { addDraftComment } from '../../domain/consultations/comments.ts';
import { getConsultationDocument } from '../../domain/consultations/documents.ts';
import { renewStatusLink } from '../../domain/consultations/status-links.ts';
import { AppError } from '../../domain/errors.ts';
import { formatDanishDate, toDanishDateTimeLocal } from '../../domain/time.ts';
import { castVote } from '../../domain/written-procedure/service.ts';
import { proposedProcedureClose } from '../../domain/written-procedure/times.ts';
import { parseInput } from '../../domain/validation.ts';
import { renderMarkdownSafe } from '../../domain/pdf/markdown.ts';
import { sendStoredBytes } from '../presenters/download.ts';
import { presentDeadlineAdvice } from '../presenters/deadline-advice.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { typedFields } from '../forms.ts';
import { keepFormFailure, takeFormFailure, type FormFailure } from '../form-failures.ts';
import { formatSize } from '../presenters/file-size.ts';
import { eventFormOf, formAnchor, presentFormFailure } from '../presenters/consultation-forms.ts';
import {
  commentForm,
  consultationPageParams,
  consultationPageQuery,
  documentParams,
  draftForm,
  eventForm,
  intakeForm,
  outcomeForm,
  publicationForm,
} from './consultation-page.schemas.ts';
import { setPublication, type PublicationStatus } from '../../domain/publication/service.ts';
import { RESPONSE_OUTCOME_LABELS, RESPONSE_OUTCOMES, recordResponseOutcome } from '../../domain/publication/outcome.ts';
import { voteForm } from './vote.schemas.ts';

interface PageState {
  /** A form of the page that was refused just before (it redirected here). */
  failure?: FormFailure;
  notice?: string;
  /** A freshly renewed status link. */
  renewed?: boolean;
}

const CHANNEL_LABELS: Record<string, string> = { email: 'e-mail', portal: 'høringsportal', letter: 'brev' };

/**
 * A refusal the page shows beside the form that was sent (bad input, a stale version, a step not
 * possible now); a consultation the user may not see or act on goes to the error handler.
 */
function shownOnPage(error: unknown): AppError {
  if (!(error instanceof AppError) || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
  return error;
}

const TEXTS_WITHOUT_FORM: Record<string, Record<string, string>> = {
  draft: { body: 'Dit udkast' },
  comment: { body: 'Din kommentar til udkastet' },
  vote: { comment: 'Din kommentar til din stemme' },
  event: { comment: 'Din kommentar', reason: 'Din begrundelse', note: 'Din note' },
};

/**
 * What the user typed into a form the page no longer shows (the consultation moved on while they
 * wrote): it is shown as text to copy, so a refusal never loses it.
 */
function textsWithoutForm(failure: FormFailure | undefined, formGone: boolean): { label: string; text: string }[] {
  if (!failure || !formGone) return [];
  const labels = TEXTS_WITHOUT_FORM[failure.form] ?? TEXTS_WITHOUT_FORM.event!;
  return Object.entries(labels).flatMap(([field, label]) => (failure.typed[field]?.trim() ? [{ label, text: failure.typed[field] }] : []));
}

/**
 * After a refused form: back to the consultation page at that form (303), the refusal and what was
 * typed kept in the session for that one GET. Every form of the page fails this one way. A body
 * refused before the consultation was looked up still answers 404 for one the user may not see.
 */
async function backToForm(deps: AppDeps, req: Request, res: Response, id: string, form: string, error: unknown): Promise<void> {
  const failure = { form, typed: typedFields(req.body), error: shownOnPage(error) };
  await getConsultation(deps, actorOf(res), id);
  const page = `/consultations/${encodeURIComponent(id)}`;
  await keepFormFailure(req, page, failure);
  res.redirect(303, `${page}#${formAnchor(form)}`);
}

/** The publication box: what the status means in words, and the form as typed after a refusal. */
function publicationLocals(page: ConsultationPage, refused: { values: Record<string, string> } | undefined) {
  const publication = page.publication;
  if (!publication) return null;
  const slug = page.consultation.council?.slug;
  const isPublic = refused ? refused.values.public !== 'no' : publication.status === 'published' || publication.status === 'will_publish';
  return {
    ...publication,
    mayPublish: page.mayPublish,
    text: PUBLICATION_TEXTS[publication.status],
    published: publication.status === 'published',
    publicPageUrl: slug ? `/r/${encodeURIComponent(slug)}` : null,
    submitted: publication.status === 'published' || publication.status === 'not_published',
    chosenPublic: isPublic,
    typedReason: refused?.values.reason ?? publication.reason ?? '',
  };
}

const PUBLICATION_TEXTS: Record<PublicationStatus, string> = {
  will_publish: 'Svaret kommer på rådets offentlige side, når det er sendt.',
  will_not_publish: 'Svaret kommer ikke på rådets offentlige side, når det er sendt.',
  published: 'Svaret står på rådets offentlige side.',
  not_published: 'Svaret står ikke på rådets offentlige side.',
  no_response: 'Rådet svarede ikke; der er intet svar at offentliggøre.',
};

/**
 * The written procedure's box: the procedure with `running` for the template, the vote form's
 * choice (what was typed after a refusal, else the voter's vote), and the closing time the start
 * form proposes (two working days from now at 12.00, when that is before the deadline).
 */
function writtenProcedureLocals(page: ConsultationPage, vote: { values: Record<string, string> } | undefined, now: Date) {
  const procedure = page.consultation.writtenProcedure;
  const chosen = vote?.values.vote ?? procedure?.myVote?.vote;
  // Working days are counted only when the start form is on the page, not on every view.
  const proposed = page.consultation.allowedEvents.includes('START_WRITTEN_PROCEDURE')
    ? proposedProcedureClose(now, page.consultation.deadline)
    : null;
  return {
    procedure: procedure ? { ...procedure, running: procedure.status === 'running' } : null,
    voteChosen: { agree: chosen === 'agree', disagree: chosen === 'disagree', abstain: chosen === 'abstain' },
    voteComment: vote?.values.comment ?? procedure?.myVote?.comment ?? '',
    proposedClose: proposed ? toDanishDateTimeLocal(proposed) : '',
  };
}

const INTAKE_SOURCES: Record<string, string> = { mail: 'Modtaget som mail', feed: 'Fundet på Høringsportalen' };

/**
 * The box of a consultation that arrived by itself: where it came from, the sentence the deadline
 * was read from, and the confirmation form (the proposed deadline, or what was typed after a refusal).
 */
function intakeLocals(consultation: ConsultationPage['consultation'], refused: { values: Record<string, string> } | undefined) {
  const intake = consultation.intake;
  if (!intake) return null;
  return {
    ...intake,
    sourceLabel: INTAKE_SOURCES[intake.source] ?? intake.source,
    typedDeadline: refused?.values.deadline ?? toDanishDateTimeLocal(new Date(consultation.deadline)),
  };
}

/**
 * Who sent the draft back, for the heading of the comments: the voters of a written procedure
 * that did not approve it, or the chair (the newest event that took it back to drafting decides).
 */
function changesRequestedLabel(consultation: ConsultationPage['consultation']): string {
  const back = consultation.timeline.findLast((entry) => entry.to === 'drafting' && entry.from !== 'drafting');
  return back?.type === 'CLOSE_WRITTEN_PROCEDURE' ? 'Rådets indvendinger ved den skriftlige procedure' : 'Formandens kommentarer';
}

function renderPage(res: Response, page: ConsultationPage, now: Date, state: PageState = {}): void {
  const consultation = page.consultation;
  const { failure } = state;
  const { forms, pageError } = presentFormFailure(page, failure);
  res.render('pages/consultation', {
    title: consultation.title,
    c: consultation,
    draftHtml: consultation.draft ? renderMarkdownSafe(consultation.draft.body) : null,
    typedDraft: forms.draft?.values.body ?? consultation.draft?.body ?? '',
    // Only the form that was sent is filled in again, with its summary and its messages beside its fields.
    forms,
    textsWithoutForm: textsWithoutForm(failure, pageError !== undefined),
    submissionChannel: consultation.submission ? (CHANNEL_LABELS[consultation.submission.channel] ?? consultation.submission.channel) : undefined,
    conflict: failure?.error.code === 'STALE_VERSION' && forms.draft !== undefined,
    error: pageError,
    notice: state.notice,
    can: Object.fromEntries(consultation.allowedEvents.map((e) => [e, true])),
    timeline: [...consultation.timeline].reverse(),
    documents: page.documents.map((d) => ({ ...d, sizeText: formatSize(d.size) })),
    comments: page.comments,
    mayComment: page.mayComment,
    versions: page.versions,
    diff: page.diff,
    diffFrom: page.diff?.from ?? page.versions[1]?.number,
    diffTo: page.diff?.to ?? page.versions[0]?.number,
    statusUrl: page.statusUrl,
    mayRenewStatusLink: page.mayRenewStatusLink,
    renewed: state.renewed,
    readOnly: page.readOnly,
    mayReadInternals: page.mayReadInternals,
    deadlineDay: formatDanishDate(consultation.deadline),
    changesRequestedLabel: changesRequestedLabel(consultation),
    earlier: page.earlier,
    publication: publicationLocals(page, forms.publication),
    intake: intakeLocals(consultation, forms.intake),
    outcome: page.outcome,
    mayRecordOutcome: page.mayRecordOutcome,
    outcomeChoices: RESPONSE_OUTCOMES.map((value) => ({
      value,
      label: RESPONSE_OUTCOME_LABELS[value],
      checked: (forms.outcome?.values.outcome ?? page.outcome?.outcome ?? '') === value,
    })),
    outcomeNote: forms.outcome?.values.note ?? page.outcome?.note ?? '',
    outcomeUrl: forms.outcome?.values.url ?? page.outcome?.url ?? '',
    ...writtenProcedureLocals(page, forms.vote, now),
  });
}

/** What the page says after a form's redirect, by the query flag the redirect set (first match wins). */
const REDIRECT_NOTICES: [keyof typeof consultationPageQuery.shape, string][] = [
  ['registered', 'Høringen er registreret.'],
  ['voted', 'Din stemme er registreret.'],
  ['publication', 'Offentligheden er gemt.'],
  ['outcome', 'Udfaldet er gemt.'],
  ['confirmed', 'Høringsfristen er bekræftet.'],
  ['ok', 'Gemt.'],
];

/** The consultation page: facts, documents, draft, versions, comments, timeline and the events this user may send now. */
export function consultationPageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/:id', requireLogin, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    const query = consultationPageQuery.parse(req.query);
    const actor = actorOf(res);
    const page = await getConsultationPage(deps, actor, id, { diffFrom: query.from, diffTo: query.to });
    res.locals.deadlineAdvice = presentDeadlineAdvice(page.advice);
    const notice = REDIRECT_NOTICES.find(([key]) => query[key])?.[1];
    renderPage(res, page, deps.clock(), { notice, failure: takeFormFailure(req, `/consultations/${encodeURIComponent(id)}`) });
  });
  router.get('/consultations/:id/documents/:docId', requireLogin, async (req, res) => {
    const { id, docId } = parseInput(documentParams, req.params);
    const doc = await getConsultationDocument(deps, actorOf(res), id, docId);
    // attachment() guesses a type from the name; the type read from the content wins.
    res.attachment(doc.filename).type(doc.mediaType).setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    await sendStoredBytes(req, res, doc, deps.logger);
  });
  router.post('/consultations/:id/events', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      await sendEvent(deps, actor, id, parseInput(eventForm, req.body ?? {}));
      res.redirect(303, `/consultations/${id}?ok=1`);
    } catch (error) {
      await backToForm(deps, req, res, id, eventFormOf(typedFields(req.body)), error);
    }
  });
  router.post('/consultations/:id/intake', requireLogin, csrfProtection, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      const form = parseInput(intakeForm, req.body ?? {});
      await confirmArrivedConsultation(deps, actorOf(res), id, { deadline: form.deadline, version: form.version });
      res.redirect(303, `/consultations/${id}?confirmed=1`);
    } catch (error) {
      await backToForm(deps, req, res, id, 'intake', error);
    }
  });
  router.post('/consultations/:id/draft', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      const form = parseInput(draftForm, req.body ?? {});
      await saveDraft(deps, actor, id, { body: form.body, version: form.version });
      res.redirect(303, `/consultations/${id}?ok=1#udkast`);
    } catch (error) {
      await backToForm(deps, req, res, id, 'draft', error);
    }
  });
  router.post('/consultations/:id/comments', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      await addDraftComment(deps, actor, id, { body: parseInput(commentForm, req.body ?? {}).body });
      res.redirect(303, `/consultations/${id}#kommentarer`);
    } catch (error) {
      await backToForm(deps, req, res, id, 'comment', error);
    }
  });
  router.post('/consultations/:id/written-procedure/vote', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      await castVote(deps, actor, id, parseInput(voteForm, req.body ?? {}));
      res.redirect(303, `/consultations/${id}?voted=1#skriftlig-procedure`);
    } catch (error) {
      // Someone who is no voter has no vote form to go back to: the error page says why (403).
      if (error instanceof AppError && error.code === 'NOT_A_VOTER') throw error;
      await backToForm(deps, req, res, id, 'vote', error);
    }
  });
  router.post('/consultations/:id/publication', requireLogin, csrfProtection, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      const { public: wanted, reason } = parseInput(publicationForm, req.body ?? {});
      await setPublication(deps, actorOf(res), id, { public: wanted, reason });
      res.redirect(303, `/consultations/${id}?publication=saved#offentlighed`);
    } catch (error) {
      await backToForm(deps, req, res, id, 'publication', error);
    }
  });
  router.post('/consultations/:id/outcome', requireLogin, csrfProtection, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    try {
      const { outcome, note, url } = parseInput(outcomeForm, req.body ?? {});
      await recordResponseOutcome(deps, actorOf(res), id, { outcome, note, url });
      res.redirect(303, `/consultations/${id}?outcome=1#udfald`);
    } catch (error) {
      await backToForm(deps, req, res, id, 'outcome', error);
    }
  });
  router.post('/consultations/:id/status-link', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    await renewStatusLink(deps, actor, id);
    renderPage(res, await getConsultationPage(deps, actor, id), deps.clock(), {
      notice: 'Statuslinket er fornyet. Det gamle link virker ikke længere.',
      renewed: true,
    });
  });
  return router;
}
