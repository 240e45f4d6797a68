import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppDeps } from '../../deps.ts';
import { cleanDocumentName, MAX_DOCUMENT_BYTES, MAX_DOCUMENTS } from '../../domain/consultations/documents.ts';
import { registerConsultationWithDocuments, registrationCouncils } from '../../domain/consultations/registration.ts';
import { AppError } from '../../domain/errors.ts';
import { danishDate } from '../../domain/time.ts';
import { parseInput } from '../../domain/validation.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { registrationForm } from './registration.schemas.ts';

// Files stay in memory (bounded by the limits) and go to PostgreSQL; nothing touches the disk.
// A text field may be far longer than any the domain accepts, so that it is refused with the
// domain's message beside it instead of ending the upload and losing the fields after it.
const upload = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: { fileSize: MAX_DOCUMENT_BYTES, files: MAX_DOCUMENTS, fields: 40, fieldSize: 1024 * 1024, parts: 60 },
}).array('documents', MAX_DOCUMENTS);

const MULTER_MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: 'Et dokument er større end 25 MB',
  LIMIT_FILE_COUNT: `Højst ${MAX_DOCUMENTS} dokumenter ad gangen`,
  LIMIT_UNEXPECTED_FILE: `Højst ${MAX_DOCUMENTS} dokumenter ad gangen`,
  LIMIT_FIELD_VALUE: 'Teksten er alt for lang',
};

/** Why an upload was cut short, and beside which field to say so. */
interface UploadRefusal {
  field: string;
  message: string;
}

/**
 * Parses the multipart form before the CSRF check reads `_csrf` from the body. An upload over the
 * limits becomes a Danish message beside the field (the documents, or an over-long text field)
 * instead of an error page.
 */
function parseUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (error: unknown) => {
    if (error instanceof multer.MulterError) {
      const textField = error.code === 'LIMIT_FIELD_VALUE' && error.field ? error.field : undefined;
      const refusal: UploadRefusal = {
        field: textField ?? 'documents',
        message: MULTER_MESSAGES[error.code] ?? 'Dokumenterne kunne ikke modtages',
      };
      res.locals.uploadRefusal = refusal;
      req.body ??= {};
      return next();
    }
    // Anything else busboy could not read (a part header over its limit, a missing boundary) is the request's fault.
    next(error ? new AppError('MALFORMED_REQUEST', 'Formularen kunne ikke læses') : undefined);
  });
}

interface FormState {
  values?: Record<string, string>;
  error?: AppError;
  uploadRefusal?: UploadRefusal;
  /** The names of the files that were sent: a browser cannot fill a file field in again. */
  chosenFiles?: string[];
}

async function renderForm(res: Response, deps: AppDeps, state: FormState = {}) {
  const errors = fieldErrors(state.error);
  if (state.uploadRefusal) errors[state.uploadRefusal.field] = state.uploadRefusal.message;
  const councils = await registrationCouncils(deps, actorOf(res));
  const failed = !!state.error || !!state.uploadRefusal;
  const chosenCouncil = state.values?.council ?? (councils.length === 1 ? councils[0]!.slug : undefined);
  res.status(state.error ? state.error.httpStatus : state.uploadRefusal ? 413 : 200).render('pages/register', {
    title: 'Registrér høring',
    values: state.values ?? { receivedAt: danishDate(deps.clock()), deadlineTime: '12:00' },
    councils: councils.map((c) => ({ ...c, selected: c.slug === chosenCouncil })),
    // A council that is not in the list (a hand-made request) is shown, so it is not lost silently.
    unknownCouncil: chosenCouncil && !councils.some((c) => c.slug === chosenCouncil) ? chosenCouncil : undefined,
    error: failed ? 'Høringen er ikke registreret. Ret felterne markeret herunder.' : undefined,
    fieldErrors: errors,
    failed,
    chosenFiles: state.chosenFiles?.length ? state.chosenFiles : undefined,
  });
}

/** Registering a consultation with its documents: GET and POST /consultations/new. */
export function registrationRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consultations/new', requireLogin, async (_req, res) => {
    await renderForm(res, deps);
  });
  router.post('/consultations/new', requireLogin, parseUpload, csrfProtection, async (req, res) => {
    const values = typedFields(req.body);
    const uploaded = (req.files as Express.Multer.File[] | undefined) ?? [];
    const chosenFiles = uploaded.map((f) => cleanDocumentName(f.originalname));
    const uploadRefusal = res.locals.uploadRefusal as UploadRefusal | undefined;
    if (uploadRefusal) return renderForm(res, deps, { values, uploadRefusal, chosenFiles });
    try {
      const input = parseInput(registrationForm, req.body ?? {});
      const files = uploaded.map((f) => ({ originalName: f.originalname, bytes: f.buffer }));
      const { consultation } = await registerConsultationWithDocuments(deps, actorOf(res), input, files);
      res.redirect(303, `/consultations/${consultation.id}?registered=1`);
    } catch (error) {
      await renderForm(res, deps, { values, error: formError(error), chosenFiles });
    }
  });
  return router;
}
