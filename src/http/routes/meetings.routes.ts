import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { AppError } from '../../domain/errors.ts';
import { addMeeting, getMeetingCalendar, removeMeeting } from '../../domain/meetings/service.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { councilMeetingsParams, meetingFormFields, meetingParams } from './meetings.schemas.ts';

interface FormState {
  error?: AppError;
  typed?: Record<string, string>;
  notice?: string;
}

async function renderMeetings(deps: AppDeps, res: Response, actor: Actor, slug: string, state: FormState = {}) {
  const calendar = await getMeetingCalendar(deps, actor, slug);
  res.status(state.error ? state.error.httpStatus : 200).render('pages/meetings', {
    title: `Møder – ${calendar.council.name}`,
    calendar,
    form: state.typed ?? { date: '', time: '17:00', place: '', note: '' },
    error: state.error?.message,
    fieldErrors: fieldErrors(state.error),
    notice: state.notice,
  });
}

/** A council's meeting calendar, edited by its secretary (and administrators); 404 for everyone else. */
export function meetingRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/councils/:slug/meetings', requireLogin, async (req, res) => {
    const { slug } = parseInput(councilMeetingsParams, req.params);
    const notice = req.query.saved === '1' ? 'Mødet er tilføjet.' : req.query.deleted === '1' ? 'Mødet er slettet.' : undefined;
    await renderMeetings(deps, res, actorOf(res), slug, { notice });
  });
  router.post('/councils/:slug/meetings', requireLogin, csrfProtection, async (req, res) => {
    const { slug } = parseInput(councilMeetingsParams, req.params);
    const typed = typedFields(req.body);
    try {
      await addMeeting(deps, actorOf(res), slug, parseInput(meetingFormFields, req.body ?? {}));
      res.redirect(303, `/councils/${encodeURIComponent(slug)}/meetings?saved=1`);
    } catch (error) {
      await renderMeetings(deps, res, actorOf(res), slug, { error: formError(error), typed });
    }
  });
  router.post('/councils/:slug/meetings/:id/delete', requireLogin, csrfProtection, async (req, res) => {
    const { slug, id } = parseInput(meetingParams, req.params);
    await removeMeeting(deps, actorOf(res), slug, id);
    res.redirect(303, `/councils/${encodeURIComponent(slug)}/meetings?deleted=1`);
  });
  return router;
}
