import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendArchivedPdf, sendRenderedPdf } from '../pdf-response.ts';
import { getArchivedLetter, previewLetter } from '../../domain/archive/service.ts';
import { parseInput } from '../../domain/validation.ts';
import { actorOf, requireBearerToken, requireLogin } from '../middleware/actor.ts';
import { letterHeaders, letterParams } from './archive.schemas.ts';

/** Sends an archived letter: strong ETag from its SHA-256, 304 when the client already has it. */
async function sendArchivedLetter(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const { id } = parseInput(letterParams, req.params);
  const headers = letterHeaders.parse(req.headers);
  // The letter never changes, but who may read it can: every use revalidates, and only privately.
  await sendArchivedPdf(req, res, await getArchivedLetter(deps, actorOf(res), id, headers['if-none-match']), 'private', deps.logger);
}

/** The archived letter for the API: GET /api/v1/consultations/{id}/response.pdf (bearer token). */
export function archiveApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/:id/response.pdf', requireBearerToken(deps), (req, res) => sendArchivedLetter(deps, req, res));
  return router;
}

/** The archived letter and the draft preview for logged-in users. */
export function archivePageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/:id/response.pdf', requireLogin, (req, res) => sendArchivedLetter(deps, req, res));
  router.get('/consultations/:id/preview.pdf', requireLogin, async (req, res) => {
    const { id } = parseInput(letterParams, req.params);
    sendRenderedPdf(res, await previewLetter(deps, actorOf(res), id));
  });
  return router;
}
