import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { getConsultation, saveDraft, sendEvent, type ConsultationDetails } from '../../domain/consultations/service.ts';
import { AppError } from '../../domain/errors.ts';
import { parseInput } from '../../domain/validation.ts';
import { renderMarkdownPreview } from '../presenters/markdown.ts';
import { presentDeadlineAdvice } from '../presenters/deadline-advice.ts';
import { adviceForConsultation } from '../../domain/deadlines/service.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { consultationPageParams, draftForm, eventForm } from './consultation-page.schemas.ts';

interface PageState {
  error?: AppError;
  /** What the user typed, kept when a save fails. */
  typedDraft?: string;
  notice?: string;
}

function renderPage(res: Response, consultation: ConsultationDetails, state: PageState = {}): void {
  const fieldErrors = Object.fromEntries((state.error?.details ?? []).map((d) => [d.path, d.message]));
  res.status(state.error ? state.error.httpStatus : 200).render('pages/consultation', {
    title: consultation.title,
    c: consultation,
    draftHtml: consultation.draft ? renderMarkdownPreview(consultation.draft.body) : null,
    typedDraft: state.typedDraft ?? consultation.draft?.body ?? '',
    conflict: state.error?.code === 'STALE_VERSION' && state.typedDraft !== undefined,
    error: state.error?.message,
    fieldErrors,
    notice: state.notice,
    can: Object.fromEntries(consultation.allowedEvents.map((e) => [e, true])),
    timeline: [...consultation.timeline].reverse(),
  });
}

/** The consultation page: facts, draft, timeline and the events this user may send now. */
export function consultationPageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/:id', requireLogin, async (req, res) => {
    const { id } = parseInput(consultationPageParams, req.params);
    const consultation = await getConsultation(deps, actorOf(res), id);
    res.locals.deadlineAdvice = presentDeadlineAdvice(await adviceForConsultation(deps, actorOf(res), consultation));
    renderPage(res, consultation, { notice: typeof req.query.ok === 'string' ? 'Gemt.' : undefined });
  });
  router.post('/consultations/:id/events', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    const form = eventForm.parse(req.body ?? {});
    const { _csrf: _ignored, ...fields } = form as Record<string, unknown>;
    try {
      await sendEvent(deps, actor, id, fields);
      res.redirect(303, `/consultations/${id}?ok=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
      renderPage(res, await getConsultation(deps, actor, id), { error });
    }
  });
  router.post('/consultations/:id/draft', requireLogin, csrfProtection, async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseInput(consultationPageParams, req.params);
    const form = draftForm.parse(req.body ?? {});
    try {
      await saveDraft(deps, actor, id, { body: form.body, version: form.version });
      res.redirect(303, `/consultations/${id}?ok=1#udkast`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw error;
      renderPage(res, await getConsultation(deps, actor, id), { error, typedDraft: form.body });
    }
  });
  return router;
}
