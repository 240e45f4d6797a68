import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendRenderedPdf } from '../pdf-response.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { AppError } from '../../domain/errors.ts';
import {
  addConsultationItem,
  addFreeItem,
  agendaTitle,
  getAgenda,
  listAgendas,
  moveItem,
  refreshAgenda,
  removeItem,
  restoreItem,
  type AgendaView,
} from '../../domain/meetings/agenda.ts';
import { agendaPdf, agendaMailDate, sendAgendaNow } from '../../domain/meetings/agenda-output.ts';
import { AGENDA_KIND_LABELS } from '../../domain/pdf/agenda.ts';
import { renderMarkdownSafe } from '../../domain/pdf/markdown.ts';
import { formatDanishDate } from '../../domain/time.ts';
import { parseInput } from '../../domain/validation.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import {
  agendaItemParams,
  agendaParams,
  agendaQuery,
  consultationItemFields,
  councilAgendasParams,
  freeItemFields,
  moveFields,
} from './agenda.schemas.ts';

/** What a change redirects back with (?notice=…), and what the page then says. */
const NOTICES: Record<string, string> = {
  refreshed: 'Dagsordenen er opdateret.',
  added: 'Punktet er tilføjet.',
  moved: 'Punktet er flyttet.',
  removed: 'Punktet er taget af dagsordenen.',
  restored: 'Punktet er sat på dagsordenen igen.',
  sent: 'Dagsordenen sendes nu til rådets medlemmer.',
};

interface FormState {
  error?: AppError;
  /** Which form the error belongs to: 'free' or 'consultation'. */
  form?: string;
  typed?: Record<string, string>;
  notice?: string;
}

/** The agenda as the template shows it: every Markdown text as safe HTML. */
function presentAgenda(agenda: AgendaView) {
  const present = (item: AgendaView['items'][number]) => ({
    ...item,
    kindLabel: AGENDA_KIND_LABELS[item.kind],
    bodyHtml: item.bodyMarkdown.trim() ? renderMarkdownSafe(item.bodyMarkdown) : null,
    draftHtml: item.consultation?.draft ? renderMarkdownSafe(item.consultation.draft.bodyMarkdown) : null,
  });
  return {
    ...agenda,
    title: agendaTitle(agenda.meeting),
    items: agenda.items.map((item, i) => ({ ...present(item), first: i === 0, last: i === agenda.items.length - 1 })),
    removed: agenda.removed.map(present),
    mailDate: formatDanishDate(agendaMailDate(agenda.meeting.startsAt, agenda.council.agendaWorkingDays)),
  };
}

async function renderAgenda(deps: AppDeps, res: Response, actor: Actor, slug: string, meetingId: number, state: FormState = {}) {
  const agenda = presentAgenda(await getAgenda(deps, actor, slug, meetingId));
  res.status(state.error ? state.error.httpStatus : 200).render('pages/agenda', {
    title: `${agenda.title} – ${agenda.council.name}`,
    agenda,
    base: `/councils/${encodeURIComponent(agenda.council.slug)}/meetings/${agenda.meeting.id}/agenda`,
    minutesPath: `/councils/${encodeURIComponent(agenda.council.slug)}/meetings/${agenda.meeting.id}/minutes`,
    freeForm: state.form === 'free' ? state.typed : { title: '', body: '' },
    error: state.error?.message,
    errorForm: state.form,
    fieldErrors: fieldErrors(state.error),
    notice: state.notice,
  });
}

/**
 * A meeting's agenda: read by the council's secretary, chair, members and staff, prepared by the
 * secretary and chair (every change a small form: refresh, add, move, take off, send), its PDF,
 * and the council's list of agendas. 404 for everyone else.
 */
export function agendaRoutes(deps: AppDeps): Router {
  const router = Router();
  const back = (res: Response, params: { slug: string; meetingId: number }, notice: string) =>
    res.redirect(303, `/councils/${encodeURIComponent(params.slug)}/meetings/${params.meetingId}/agenda?notice=${notice}#dagsorden`);

  router.get('/councils/:slug/agendas', requireLogin, async (req, res) => {
    const { slug } = parseInput(councilAgendasParams, req.params);
    const index = await listAgendas(deps, actorOf(res), slug);
    res.render('pages/agendas', { title: `Dagsordener – ${index.council.name}`, index });
  });
  router.get('/councils/:slug/meetings/:meetingId/agenda', requireLogin, async (req, res) => {
    const { slug, meetingId } = parseInput(agendaParams, req.params);
    const { notice } = parseInput(agendaQuery, req.query);
    await renderAgenda(deps, res, actorOf(res), slug, meetingId, { notice: notice ? NOTICES[notice] : undefined });
  });
  router.get('/councils/:slug/meetings/:meetingId/agenda.pdf', requireLogin, async (req, res) => {
    const { slug, meetingId } = parseInput(agendaParams, req.params);
    sendRenderedPdf(res, await agendaPdf(deps, actorOf(res), slug, meetingId));
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/refresh', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaParams, req.params);
    await refreshAgenda(deps, actorOf(res), params.slug, params.meetingId);
    back(res, params, 'refreshed');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/send', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaParams, req.params);
    try {
      await sendAgendaNow(deps, actorOf(res), params.slug, params.meetingId);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
      await renderAgenda(deps, res, actorOf(res), params.slug, params.meetingId, { error, form: 'send' });
      return;
    }
    back(res, params, 'sent');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/items', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaParams, req.params);
    try {
      await addFreeItem(deps, actorOf(res), params.slug, params.meetingId, parseInput(freeItemFields, req.body ?? {}));
    } catch (error) {
      await renderAgenda(deps, res, actorOf(res), params.slug, params.meetingId, {
        error: formError(error),
        form: 'free',
        typed: typedFields(req.body),
      });
      return;
    }
    back(res, params, 'added');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/consultations', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaParams, req.params);
    try {
      await addConsultationItem(deps, actorOf(res), params.slug, params.meetingId, parseInput(consultationItemFields, req.body ?? {}));
    } catch (error) {
      await renderAgenda(deps, res, actorOf(res), params.slug, params.meetingId, { error: formError(error), form: 'consultation' });
      return;
    }
    back(res, params, 'added');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/items/:itemId/move', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaItemParams, req.params);
    const { direction } = parseInput(moveFields, req.body ?? {});
    await moveItem(deps, actorOf(res), params.slug, params.meetingId, params.itemId, direction);
    back(res, params, 'moved');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/items/:itemId/remove', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaItemParams, req.params);
    await removeItem(deps, actorOf(res), params.slug, params.meetingId, params.itemId);
    back(res, params, 'removed');
  });
  router.post('/councils/:slug/meetings/:meetingId/agenda/items/:itemId/restore', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaItemParams, req.params);
    await restoreItem(deps, actorOf(res), params.slug, params.meetingId, params.itemId);
    back(res, params, 'restored');
  });
  return router;
}
