import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, isDatabaseUnavailable } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';

/** True for requests to the JSON API, which get JSON errors instead of pages. */
export function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

/** Turns anything thrown into an AppError; unknown errors become INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; type?: string; status?: number };
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('CSRF_FAILED', 'Formularen var for gammel. Indlæs siden igen og prøv igen.');
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_REQUEST', 'Forespørgslens indhold er ikke gyldig JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'Forespørgslen er for stor');
  if (e?.status === 400 || e?.status === 415) return new AppError('MALFORMED_REQUEST', 'Forespørgslen kunne ikke læses');
  if (isDatabaseUnavailable(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'Databasen svarer ikke lige nu. Prøv igen om lidt.', { meta: { retryAfterSeconds: 5 } });
  }
  return new AppError('INTERNAL', 'Der opstod en uventet fejl');
}

/** Danish 404 page, or NOT_FOUND JSON for the API. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('NOT_FOUND', 'Siden findes ikke'));
};

/**
 * The one place errors become HTTP: stable code and status, JSON for the API, a page for people.
 * An unexpected error is logged with its stack and the request id; the user sees only the id.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const requestId = res.locals.requestId ?? '';
    if (appError.code === 'INTERNAL') {
      logger.error({ err: error, requestId, url: req.originalUrl, method: req.method }, 'unexpected error');
    } else if (appError.code === 'SERVICE_UNAVAILABLE') {
      logger.warn({ err: error, requestId, url: req.originalUrl, method: req.method }, 'database unavailable');
    }
    if (res.headersSent) return;
    const retryAfter = appError.meta.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(appError.httpStatus);
    if (isApiRequest(req)) {
      res.json({
        error: {
          code: appError.code,
          message: appError.message,
          details: appError.details,
          ...(appError.code === 'INTERNAL' ? { requestId } : {}),
          ...(appError.code === 'STALE_VERSION' ? { currentVersion: appError.meta.currentVersion } : {}),
        },
      });
      return;
    }
    const view = appError.code === 'NOT_FOUND' ? 'pages/not-found' : 'pages/error';
    res.render(view, {
      title: appError.code === 'NOT_FOUND' ? 'Siden findes ikke' : 'Der opstod en fejl',
      message: appError.message,
      code: appError.code,
      requestId,
    });
  };
}
