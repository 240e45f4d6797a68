import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { AppError } from '../../domain/errors.ts';
import {
  finaliseMinutes,
  getMinutes,
  getMinutesPdf,
  minutesTitle,
  OUTCOME_LABELS,
  recordOutcome,
  type MinutesView,
} from '../../domain/meetings/minutes.ts';
import { AGENDA_KIND_LABELS } from '../../domain/pdf/agenda.ts';
import { parseInput } from '../../domain/validation.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { sendStoredBytes } from '../presenters/download.ts';
import { agendaItemParams, agendaParams, agendaQuery, outcomeFields } from './agenda.schemas.ts';

/** What a change redirects back with (?notice=…), and what the page then says. */
const NOTICES: Record<string, string> = {
  recorded: 'Beslutningen er ført til referat.',
  archived: 'Referatet er godkendt og arkiveret.',
};

/** Refusals the minutes page shows beside its forms (besides VALIDATION_FAILED); anything else goes to the error handler. */
const SHOWN_REFUSALS = ['CONFLICT', 'TRANSITION_NOT_ALLOWED', 'STALE_VERSION', 'RENDER_FAILED'] as const;

interface FormState {
  error?: AppError;
  /** The item whose form the error belongs to; undefined for the finalise form. */
  itemId?: number;
  typed?: Record<string, string>;
  notice?: string;
}

/** The minutes as the template shows them: labels, and each item's form as typed (after a refusal) or empty. */
function presentMinutes(minutes: MinutesView, state: FormState) {
  return {
    ...minutes,
    title: minutesTitle(minutes.meeting),
    items: minutes.items.map((item) => {
      const typed = state.itemId === item.id ? state.typed : undefined;
      return {
        ...item,
        kindLabel: AGENDA_KIND_LABELS[item.kind],
        outcomeLabel: item.outcome ? OUTCOME_LABELS[item.outcome] : null,
        options: item.outcomes.map((value, i) => ({
          value,
          label: OUTCOME_LABELS[value],
          checked: typed ? typed.outcome === value : i === 0 && item.outcomes.length === 1,
        })),
        typedComment: typed?.comment ?? '',
        error: state.itemId === item.id ? state.error?.message : undefined,
        fieldErrors: state.itemId === item.id ? fieldErrors(state.error) : {},
      };
    }),
  };
}

async function renderMinutes(deps: AppDeps, res: Response, actor: Actor, slug: string, meetingId: number, state: FormState = {}) {
  const minutes = presentMinutes(await getMinutes(deps, actor, slug, meetingId), state);
  const base = `/councils/${encodeURIComponent(minutes.council.slug)}/meetings/${minutes.meeting.id}`;
  res.status(state.error ? state.error.httpStatus : 200).render('pages/minutes', {
    title: `${minutes.title} – ${minutes.council.name}`,
    minutes,
    base: `${base}/minutes`,
    agendaPath: `${base}/agenda`,
    // A refusal shows beside its item's form; one whose form is not on the page (the finalise
    // form, an item already recorded or unknown, a meeting not begun) shows at the top.
    topError:
      state.error && !minutes.items.some((i) => i.error !== undefined && i.outcome === null && minutes.mayRecord) ? state.error.message : undefined,
    notice: state.notice,
  });
}

/**
 * A meeting's minutes (referat): recorded by the council's secretary and chair (a small form per
 * item, and "Godkend og arkivér referatet"), read by its members and staff, and the archived PDF.
 * 404 for everyone else.
 */
export function minutesRoutes(deps: AppDeps): Router {
  const router = Router();
  const back = (res: Response, params: { slug: string; meetingId: number }, notice: string, anchor = 'referat') =>
    res.redirect(303, `/councils/${encodeURIComponent(params.slug)}/meetings/${params.meetingId}/minutes?notice=${notice}#${anchor}`);

  router.get('/councils/:slug/meetings/:meetingId/minutes', requireLogin, async (req, res) => {
    const { slug, meetingId } = parseInput(agendaParams, req.params);
    const { notice } = parseInput(agendaQuery, req.query);
    await renderMinutes(deps, res, actorOf(res), slug, meetingId, { notice: notice ? NOTICES[notice] : undefined });
  });
  router.get('/councils/:slug/meetings/:meetingId/minutes.pdf', requireLogin, async (req, res) => {
    const { slug, meetingId } = parseInput(agendaParams, req.params);
    const minutes = await getMinutesPdf(deps, actorOf(res), slug, meetingId);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${minutes.fileName}"`);
    await sendStoredBytes(req, res, { size: minutes.sizeBytes, bytes: minutes.pdf }, deps.logger);
  });
  router.post('/councils/:slug/meetings/:meetingId/minutes/items/:itemId', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaItemParams, req.params);
    try {
      await recordOutcome(deps, actorOf(res), params.slug, params.meetingId, params.itemId, parseInput(outcomeFields, req.body ?? {}));
    } catch (error) {
      await renderMinutes(deps, res, actorOf(res), params.slug, params.meetingId, {
        error: formError(error, SHOWN_REFUSALS),
        itemId: params.itemId,
        typed: typedFields(req.body),
      });
      return;
    }
    back(res, params, 'recorded', `punkt-${params.itemId}`);
  });
  router.post('/councils/:slug/meetings/:meetingId/minutes/finalise', requireLogin, csrfProtection, async (req, res) => {
    const params = parseInput(agendaParams, req.params);
    try {
      await finaliseMinutes(deps, actorOf(res), params.slug, params.meetingId);
    } catch (error) {
      await renderMinutes(deps, res, actorOf(res), params.slug, params.meetingId, { error: formError(error, SHOWN_REFUSALS) });
      return;
    }
    back(res, params, 'archived');
  });
  return router;
}
