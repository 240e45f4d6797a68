import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppDeps } from '../../deps.ts';
import { MAX_DOCUMENT_BYTES, MAX_DOCUMENTS } from '../../domain/consultations/documents.ts';
import { registerConsultationWithDocuments, registrationCouncils } from '../../domain/consultations/registration.ts';
import { AppError } from '../../domain/errors.ts';
import { danishDate } from '../../domain/time.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { registrationForm } from './registration.schemas.ts';

// Files stay in memory (bounded by the limits) and go to PostgreSQL; nothing touches the disk.
const upload = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: { fileSize: MAX_DOCUMENT_BYTES, files: MAX_DOCUMENTS, fields: 40, fieldSize: 100_000, parts: 60 },
}).array('documents', MAX_DOCUMENTS);

const MULTER_MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: 'Et dokument er større end 25 MB',
  LIMIT_FILE_COUNT: `Højst ${MAX_DOCUMENTS} dokumenter ad gangen`,
  LIMIT_UNEXPECTED_FILE: `Højst ${MAX_DOCUMENTS} dokumenter ad gangen`,
};

/**
 * Parses the multipart form before the CSRF check reads `_csrf` from the body. An upload over the
 * limits becomes a Danish message beside the documents field instead of an error page.
 */
function parseUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (error: unknown) => {
    if (error instanceof multer.MulterError) {
      res.locals.uploadError = MULTER_MESSAGES[error.code] ?? 'Dokumenterne kunne ikke modtages';
      req.body ??= {};
      return next();
    }
    next(error);
  });
}

async function renderForm(res: Response, deps: AppDeps, options: { values?: Record<string, unknown>; error?: AppError; uploadError?: string } = {}) {
  const fieldErrors: Record<string, string> = Object.fromEntries((options.error?.details ?? []).map((d) => [d.path, d.message]));
  if (options.uploadError) fieldErrors.documents = options.uploadError;
  const councils = await registrationCouncils(deps, actorOf(res));
  const failed = !!options.error || !!options.uploadError;
  res.status(options.error ? options.error.httpStatus : options.uploadError ? 413 : 200).render('pages/register', {
    title: 'Registrér høring',
    values: options.values ?? { receivedAt: danishDate(deps.clock()), deadlineTime: '12:00' },
    councils: councils.map((c) => ({ ...c, selected: c.slug === (options.values?.council ?? (councils.length === 1 ? c.slug : undefined)) })),
    error: failed ? 'Høringen er ikke registreret. Ret felterne markeret herunder.' : undefined,
    fieldErrors,
    failed,
  });
}

/** Registering a consultation with its documents: GET and POST /consultations/new. */
export function registrationRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/new', requireLogin, async (_req, res) => {
    await renderForm(res, deps);
  });
  router.post('/consultations/new', requireLogin, parseUpload, csrfProtection, async (req, res) => {
    const { form, input } = registrationForm.parse(req.body ?? {});
    const uploadError = res.locals.uploadError as string | undefined;
    if (uploadError) return renderForm(res, deps, { values: form, uploadError });
    const files = ((req.files as Express.Multer.File[] | undefined) ?? []).map((f) => ({ originalName: f.originalname, bytes: f.buffer }));
    try {
      const { consultation } = await registerConsultationWithDocuments(deps, actorOf(res), input, files);
      res.redirect(303, `/consultations/${consultation.id}?registered=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      await renderForm(res, deps, { values: form, error });
    }
  });
  return router;
}
