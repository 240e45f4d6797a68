import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { saveDraft, sendEvent } from '../../domain/consultations/service.ts';
import { getConsultationPage, type ConsultationPage } from '../../domain/consultations/page.ts';
import { addDraftComment } from '../../domain/consultations/comments.ts';
import { getConsultationDocument } from '../../domain/consultations/documents.ts';
import { renewStatusLink } from '../../domain/consultations/status-links.ts';
import { AppError } from '../../domain/errors.ts';
import { formatDanishDate } from '../../domain/time.ts';
import { parseInput } from '../../domain/validation.ts';
import { renderMarkdownSafe } from '../../domain/pdf/markdown.ts';
import { sendStoredBytes } from '../presenters/download.ts';
import { presentDeadlineAdvice } from '../presenters/deadline-advice.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, typedFields } from '../forms.ts';
import { commentForm, consultationPageParams, consultationPageQuery, documentParams, draftForm, eventForm } from './consultation-page.schemas.ts';

interface PageState {
  error?: AppError;
  /** What the user typed, kept when a save fails. */
  typedDraft?: string;
  /** What the user typed in the comment box, kept when posting it fails. */
  typedComment?: string;
  /** What the user typed in a workflow form (its `type` says which), kept when the event is refused. */
  typedEvent?: Record<string, string>;
  notice?: string;
  /** A freshly renewed status link. */
  renewed?: boolean;
}

const CHANNEL_LABELS: Record<string, string> = { email: 'e-mail', portal: 'høringsportal', letter: 'brev' };

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
}

/**
 * A refusal the page shows beside the form that was sent (bad input, a stale version, a step not
 * possible now); a consultation the user may not see or act on goes to the error handler.
 */
function shownOnPage(error: unknown): AppError {
  if (!(error instanceof AppError) || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
  return error;
}

const EVENT_TEXT_LABELS: Record<string, string> = { comment: 'Din kommentar', reason: 'Din begrundelse', note: 'Din note' };

/**
 * What the user typed into a form the page no longer shows (the consultation moved on while they
 * wrote): it is shown as text to copy, so a refusal never loses it.
 */
function textsWithoutForm(page: ConsultationPage, state: PageState): { label: string; text: string }[] {
  const c = page.consultation;
  const texts: { label: string; text: string }[] = [];
  if (state.typedDraft?.trim() && !c.mayEditDraft) texts.push({ label: 'Dit udkast', text: state.typedDraft });
  if (state.typedComment?.trim() && !page.mayComment) texts.push({ label: 'Din kommentar til udkastet', text: state.typedComment });
  const typedEvent = state.typedEvent;
  if (typedEvent?.type && !c.allowedEvents.includes(typedEvent.type as (typeof c.allowedEvents)[number])) {
    for (const [field, label] of Object.entries(EVENT_TEXT_LABELS)) if (typedEvent[field]?.trim()) texts.push({ label, text: typedEvent[field] });
  }
  return texts;
}

// Fields the page's forms carry hidden: the user cannot correct them, only load the page again.
const HIDDEN_FIELDS = new Set(['version', 'type']);

/** The message above the page; a refused hidden field says what to do, since no field can show it. */
function pageErrorMessage(error?: AppError): string | undefined {
  if (error?.code === 'VALIDATION_FAILED' && error.details.some((d) => HIDDEN_FIELDS.has(d.path))) {
    return 'Formularen kom ikke rigtigt frem. Indlæs siden igen og send den en gang til – det du skrev, står herunder.';
  }
  return error?.message;
}

function renderPage(res: Response, page: ConsultationPage, state: PageState = {}): void {
  const consultation = page.consultation;
  const errors = fieldErrors(state.error);
  const eventType = state.typedEvent?.type;
  res.status(state.error ? state.error.httpStatus : 200).render('pages/consultation', {
    title: consultation.title,
    c: consultation,
    draftHtml: consultation.draft ? renderMarkdownSafe(consultation.draft.body) : null,
    typedDraft: state.typedDraft ?? consultation.draft?.body ?? '',
    typedComment: state.typedComment ?? '',
    commentError: state.typedComment !== undefined ? (errors.body ?? state.error?.message) : undefined,
    draftError: state.typedDraft !== undefined ? errors.body : undefined,
    // Only the form that was sent is filled in again, with its messages beside its fields.
    eventForms: eventType ? { [eventType]: { values: state.typedEvent, errors } } : {},
    textsWithoutForm: textsWithoutForm(page, state),
    submissionChannel: consultation.submission ? (CHANNEL_LABELS[consultation.submission.channel] ?? consultation.submission.channel) : undefined,
    conflict: state.error?.code === 'STALE_VERSION' && state.typedDraft !== undefined,
    error: pageErrorMessage(state.error),
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
  });
}

/** The consultation page: facts, documents, draft, versions, comments, timeline and the events this user may send now. */
export function consultationPageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/:id', requireLogin, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    const query = consultationPageQuery.parse(req.query);
    const actor = actorOf(res);
    const page = await getConsultationPage(deps, actor, id, { diffFrom: query.from, diffTo: query.to });
    res.locals.deadlineAdvice = presentDeadlineAdvice(page.advice);
    const notice = query.registered ? 'Høringen er registreret.' : query.ok ? 'Gemt.' : undefined;
    renderPage(res, page, { notice });
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
    const typedEvent = typedFields(req.body);
    try {
      await sendEvent(deps, actor, id, parseInput(eventForm, req.body ?? {}));
      res.redirect(303, `/consultations/${id}?ok=1`);
    } catch (error) {
      renderPage(res, await getConsultationPage(deps, actor, id), { error: shownOnPage(error), typedEvent });
    }
  });
  router.post('/consultations/:id/draft', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    const typedDraft = typedFields(req.body).body ?? '';
    try {
      const form = parseInput(draftForm, req.body ?? {});
      await saveDraft(deps, actor, id, { body: form.body, version: form.version });
      res.redirect(303, `/consultations/${id}?ok=1#udkast`);
    } catch (error) {
      renderPage(res, await getConsultationPage(deps, actor, id), { error: shownOnPage(error), typedDraft });
    }
  });
  router.post('/consultations/:id/comments', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    const typedComment = typedFields(req.body).body ?? '';
    try {
      await addDraftComment(deps, actor, id, { body: parseInput(commentForm, req.body ?? {}).body });
      res.redirect(303, `/consultations/${id}#kommentarer`);
    } catch (error) {
      renderPage(res, await getConsultationPage(deps, actor, id), { error: shownOnPage(error), typedComment });
    }
  });
  router.post('/consultations/:id/status-link', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    await renewStatusLink(deps, actor, id);
    renderPage(res, await getConsultationPage(deps, actor, id), {
      notice: 'Statuslinket er fornyet. Det gamle link virker ikke længere.',
      renewed: true,
    });
  });
  return router;
}
