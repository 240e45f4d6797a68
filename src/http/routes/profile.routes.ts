import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { AppError } from '../../domain/errors.ts';
import { getProfile, renewFeed, saveReminderPreferences } from '../../domain/profile/service.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, formError } from '../forms.ts';
import { profileQuery } from './profile.schemas.ts';

const NOTICES = { reminders: 'Dine påmindelser er gemt.', calendar: 'Kalenderen har fået en ny adresse. Den gamle virker ikke længere.' };

async function renderProfile(deps: AppDeps, res: Response, actor: Actor, state: { notice?: string; error?: AppError } = {}) {
  res.status(state.error ? state.error.httpStatus : 200).render('pages/profile', {
    title: 'Min profil',
    profile: await getProfile(deps, actor),
    notice: state.notice,
    error: state.error?.message,
    fieldErrors: fieldErrors(state.error),
  });
}

/** The user's own profile: reminder mails per council and the calendar feed addresses. */
export function profileRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/profile', requireLogin, async (req, res) => {
    const { saved } = profileQuery.parse(req.query);
    await renderProfile(deps, res, actorOf(res), { notice: saved ? NOTICES[saved] : undefined });
  });
  router.post('/profile/reminders', requireLogin, csrfProtection, async (req, res) => {
    try {
      await saveReminderPreferences(deps, actorOf(res), req.body ?? {});
      res.redirect(303, '/profile?saved=reminders');
    } catch (error) {
      await renderProfile(deps, res, actorOf(res), { error: formError(error) });
    }
  });
  router.post('/profile/calendar', requireLogin, csrfProtection, async (req, res) => {
    await renewFeed(deps, actorOf(res), req.body ?? {});
    res.redirect(303, '/profile?saved=calendar#kalender');
  });
  return router;
}
