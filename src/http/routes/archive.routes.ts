import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { sendRenderedPdf } from '../pdf-response.ts';
import { getArchivedLetter, previewLetter, type ArchivedLetterDownload } from '../../domain/archive/service.ts';
import { parseInput } from '../../domain/validation.ts';
import { sendStoredBytes } from '../presenters/download.ts';
import { actorOf, requireBearerToken, requireLogin } from '../middleware/actor.ts';
import { letterHeaders, letterParams } from './archive.schemas.ts';

/** Sends an archived letter: strong ETag from its SHA-256, 304 when the client already has it. */
async function sendArchivedLetter(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const { id } = parseInput(letterParams, req.params);
  const headers = letterHeaders.parse(req.headers);
  // The letter never changes, but who may read it can: every use revalidates, and only privately.
  await sendArchivedPdf(deps, req, res, await getArchivedLetter(deps, actorOf(res), id, headers['if-none-match']), 'private');
}

/**
 * Sends an archived PDF (a letter, or minutes): its strong ETag, 304 when the client has it, and
 * revalidated on every use, privately or publicly cached (a public page's response can be taken down).
 */
export async function sendArchivedPdf(
  deps: AppDeps,
  req: Request,
  res: Response,
  letter: ArchivedLetterDownload,
  cache: 'private' | 'public',
): Promise<void> {
  res.setHeader('ETag', letter.etag);
  res.setHeader('Cache-Control', `${cache}, no-cache`);
  if (!letter.pdf) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${letter.fileName}"`);
  await sendStoredBytes(req, res, { size: letter.sizeBytes, bytes: letter.pdf }, deps.logger);
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
