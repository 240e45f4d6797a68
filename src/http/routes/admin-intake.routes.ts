import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import type { AppError } from '../../domain/errors.ts';
import { notFound } from '../../domain/errors.ts';
import {
  intakeSettings,
  removeFeedWatch,
  removeIntakeMailbox,
  saveFeedWatch,
  saveIntakeMailbox,
  testIntakeMailbox,
} from '../../domain/intake/settings.ts';
import { actorOf } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { councilParams } from './admin.schemas.ts';

const NOTICES: Record<string, string> = {
  postkasse: 'Postkassen er gemt. Rådssvar henter mails fra den hvert femte minut.',
  'postkasse-slettet': 'Postkassen er fjernet.',
  feed: 'Overvågningen af Høringsportalen er gemt.',
  'feed-slettet': 'Overvågningen af Høringsportalen er fjernet.',
};

interface IntakePageState {
  notice?: string;
  test?: { ok: boolean; message: string };
  mailboxValues?: Record<string, string>;
  mailboxError?: AppError;
  feedValues?: Record<string, string>;
  feedError?: AppError;
}

function councilIdOf(req: Request): number {
  const parsed = councilParams.safeParse(req.params);
  if (!parsed.success) throw notFound();
  return parsed.data.councilId;
}

/** A typed form again, without the password: a secret never goes back into a page. */
function withoutPassword(typed: Record<string, string>): Record<string, string> {
  const { password: _password, ...rest } = typed;
  return rest;
}

/**
 * The intake page of a council's administration: its mailbox and its watch of Høringsportalen.
 * Mounted inside the administration, behind its admin check; the services check again.
 */
export function adminIntakeRoutes(deps: AppDeps): Router {
  const router = Router();

  const render = async (res: Response, councilId: number, state: IntakePageState = {}) => {
    const settings = await intakeSettings(deps, actorOf(res), councilId);
    const mailbox = settings.mailbox;
    const watch = settings.feedWatch;
    const status = state.mailboxError?.httpStatus ?? state.feedError?.httpStatus ?? 200;
    res.status(status).render('pages/admin/council-intake', {
      title: `Modtagelse – ${settings.council.name}`,
      ...settings,
      notice: state.notice,
      test: state.test,
      mailboxValues: state.mailboxValues ?? {
        host: mailbox?.host ?? '',
        port: String(mailbox?.port ?? 993),
        tls: mailbox ? (mailbox.tls ? 'on' : '') : 'on',
        username: mailbox?.username ?? '',
        folder: mailbox?.folder ?? 'INBOX',
        afterProcessing: mailbox?.afterProcessing ?? 'move',
        processedFolder: mailbox?.processedFolder ?? 'Behandlet',
        enabled: mailbox ? (mailbox.enabled ? 'on' : '') : 'on',
      },
      mailboxError: state.mailboxError?.message,
      mailboxErrors: fieldErrors(state.mailboxError),
      feedValues: state.feedValues ?? {
        url: watch?.url ?? '',
        keywords: watch?.keywords.join('\n') ?? '',
        authorities: watch?.authorities.join('\n') ?? '',
        enabled: watch ? (watch.enabled ? 'on' : '') : 'on',
      },
      feedError: state.feedError?.message,
      feedErrors: fieldErrors(state.feedError),
    });
  };

  router.get('/councils/:councilId/intake', async (req, res) => {
    const councilId = councilIdOf(req);
    await render(res, councilId, { notice: typeof req.query.ok === 'string' ? NOTICES[req.query.ok] : undefined });
  });
  router.post('/councils/:councilId/intake/mailbox', csrfProtection, async (req, res) => {
    const councilId = councilIdOf(req);
    try {
      await saveIntakeMailbox(deps, actorOf(res), councilId, req.body ?? {});
      res.redirect(303, `/admin/councils/${councilId}/intake?ok=postkasse#postkasse`);
    } catch (error) {
      await render(res, councilId, { mailboxValues: withoutPassword(typedFields(req.body)), mailboxError: formError(error) });
    }
  });
  router.post('/councils/:councilId/intake/mailbox/test', csrfProtection, async (req, res) => {
    const councilId = councilIdOf(req);
    try {
      await render(res, councilId, { test: await testIntakeMailbox(deps, actorOf(res), councilId) });
    } catch (error) {
      await render(res, councilId, { mailboxError: formError(error) });
    }
  });
  router.post('/councils/:councilId/intake/mailbox/delete', csrfProtection, async (req, res) => {
    const councilId = councilIdOf(req);
    await removeIntakeMailbox(deps, actorOf(res), councilId);
    res.redirect(303, `/admin/councils/${councilId}/intake?ok=postkasse-slettet#postkasse`);
  });
  router.post('/councils/:councilId/intake/feed', csrfProtection, async (req, res) => {
    const councilId = councilIdOf(req);
    try {
      await saveFeedWatch(deps, actorOf(res), councilId, req.body ?? {});
      res.redirect(303, `/admin/councils/${councilId}/intake?ok=feed#hoeringsportalen`);
    } catch (error) {
      await render(res, councilId, { feedValues: typedFields(req.body), feedError: formError(error) });
    }
  });
  router.post('/councils/:councilId/intake/feed/delete', csrfProtection, async (req, res) => {
    const councilId = councilIdOf(req);
    await removeFeedWatch(deps, actorOf(res), councilId);
    res.redirect(303, `/admin/councils/${councilId}/intake?ok=feed-slettet#hoeringsportalen`);
  });
  return router;
}
