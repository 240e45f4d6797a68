import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { Actor } from '../../domain/access/actor.ts';
import { AppError } from '../../domain/errors.ts';
import { changePassword } from '../../domain/auth/account.ts';
import { getProfile, renewFeed, saveReminderPreferences } from '../../domain/profile/service.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { parseInput } from '../../domain/validation.ts';
import { publicProfileViews, saveCouncilPublicProfile, saveOwnListing } from '../../domain/publication/council-profile.ts';
import { publicCouncilParams } from './public.schemas.ts';
import { profileQuery } from './profile.schemas.ts';

const NOTICES = {
  reminders: 'Dine påmindelser er gemt.',
  calendar: 'Kalenderen har fået en ny adresse. Den gamle virker ikke længere.',
  password: 'Din adgangskode er skiftet. Du er logget ud alle andre steder.',
  listing: 'Dit valg for rådets offentlige side er gemt.',
  'public-page': 'Rådets offentlige side er gemt.',
};

/** The errors a profile form shows on the page again (others go to the error handler). */
const SHOWN_ON_PAGE = new Set(['VALIDATION_FAILED', 'TOO_MANY_REQUESTS']);

async function renderProfile(
  deps: AppDeps,
  res: Response,
  actor: Actor,
  state: { notice?: string; error?: AppError; typed?: { form: string; council: string; values: Record<string, string> } } = {},
) {
  const publicPages = (await publicProfileViews(deps, actor)).map((view) => {
    // A refused form comes back as it was typed, for its own council only.
    const typed = state.typed?.council === view.slug ? state.typed : undefined;
    if (!typed) return view;
    if (typed.form === 'listing') return { ...view, listed: typed.values.listed === '1', organisation: typed.values.organisation ?? '' };
    return { ...view, page: { description: typed.values.description ?? '', email: typed.values.email ?? '' } };
  });
  res.status(state.error ? state.error.httpStatus : 200).render('pages/profile', {
    title: 'Min profil',
    profile: await getProfile(deps, actor),
    publicPages,
    notice: state.notice,
    error: state.error?.message,
    fieldErrors: fieldErrors(state.error),
  });
}

/** The user's own profile: reminder mails per council, the calendar feed addresses and the password. */
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
  // The typed passwords are never shown again; the page says what was wrong beside each field.
  router.post('/profile/password', requireLogin, csrfProtection, async (req, res) => {
    try {
      await changePassword(deps, actorOf(res), req.body ?? {}, { sid: req.sessionID, address: req.ip ?? 'unknown' });
      res.redirect(303, '/profile?saved=password#adgangskode');
    } catch (error) {
      if (!(error instanceof AppError) || !SHOWN_ON_PAGE.has(error.code)) throw error;
      const retry = error.meta.retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      await renderProfile(deps, res, actorOf(res), { error });
    }
  });
  router.post('/profile/listing', requireLogin, csrfProtection, async (req, res) => {
    try {
      await saveOwnListing(deps, actorOf(res), req.body ?? {});
      res.redirect(303, '/profile?saved=listing#offentlig-side');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      const typed = typedFields(req.body);
      await renderProfile(deps, res, actorOf(res), { error, typed: { form: 'listing', council: typed.council ?? '', values: typed } });
    }
  });
  router.post('/councils/:slug/public-page', requireLogin, csrfProtection, async (req, res) => {
    const { slug } = parseInput(publicCouncilParams, req.params);
    try {
      await saveCouncilPublicProfile(deps, actorOf(res), slug, req.body ?? {});
      res.redirect(303, '/profile?saved=public-page#offentlig-side');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      await renderProfile(deps, res, actorOf(res), { error, typed: { form: 'public-page', council: slug, values: typedFields(req.body) } });
    }
  });
  router.post('/profile/calendar', requireLogin, csrfProtection, async (req, res) => {
    await renewFeed(deps, actorOf(res), req.body ?? {});
    res.redirect(303, '/profile?saved=calendar#kalender');
  });
  return router;
}
