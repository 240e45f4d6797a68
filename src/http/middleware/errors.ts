import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, isDatabaseUnavailable } from '../../domain/errors.ts';
import { issuesToDetails } from '../../domain/validation.ts';
import type { Logger } from '../../logger.ts';
import { loggableUrl, requestIdOf } from './request-log.ts';

/** True for requests to the JSON API, which get JSON errors instead of pages. */
export function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

// The message of a body over the limit; a page says how to get the text back.
const PAYLOAD_TOO_LARGE_MESSAGE = 'Forespørgslen er for stor';
const PAYLOAD_TOO_LARGE_PAGE_MESSAGE =
  'Formularen er for stor til at blive modtaget, og intet er gemt. Gå tilbage i browseren: din tekst står der stadig, ' +
  'så du kan kopiere den, gøre den kortere og sende den igen.';

// Retry-After of a 503 whose error gives none (a letter Chromium could not render): the message says "try again shortly".
const DEFAULT_RETRY_AFTER_SECONDS = 5;

// PostgreSQL's "data exception" class (22xxx): a value the database cannot take, e.g. U+0000 in
// text. The routes refuse such input before the database; this only keeps a missed case a 4xx.
const POSTGRES_DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

/**
 * Turns anything thrown into an AppError; unknown errors become INTERNAL. A ZodError that reached
 * here (a schema parsed without `parseInput`) is still the user's input: VALIDATION_FAILED.
 */
export function toAppError(error: unknown, options: { page?: boolean } = {}): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    return new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', { details: issuesToDetails(error) });
  }
  const e = error as { code?: string; type?: string; status?: number; severity?: string };
  // Reloading the page would throw away what was typed into the old one: the way back keeps it.
  if (e?.code === 'EBADCSRFTOKEN') {
    return new AppError(
      'CSRF_FAILED',
      'Formularen var for gammel, og intet er gemt. Gå tilbage i browseren, kopiér det du skrev, indlæs siden igen og send det en gang til.',
    );
  }
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_REQUEST', 'Forespørgslens indhold er ikke gyldig JSON');
  if (e?.type === 'entity.too.large') {
    return new AppError('PAYLOAD_TOO_LARGE', options.page ? PAYLOAD_TOO_LARGE_PAGE_MESSAGE : PAYLOAD_TOO_LARGE_MESSAGE);
  }
  if (typeof e?.code === 'string' && typeof e.severity === 'string' && POSTGRES_DATA_EXCEPTION.test(e.code)) {
    return new AppError('VALIDATION_FAILED', 'Et felt indeholder en værdi, der ikke kan gemmes', { meta: { postgresCode: e.code } });
  }
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
    const appError = toAppError(error, { page: !isApiRequest(req) });
    const requestId = requestIdOf(req);
    const url = loggableUrl(req.originalUrl);
    if (appError.code === 'INTERNAL') {
      logger.error({ err: error, requestId, url, method: req.method }, 'unexpected error');
    } else if (!(error instanceof AppError) && appError.code === 'VALIDATION_FAILED') {
      // Answered as bad input, but a route let it past its own checks: worth finding and fixing.
      logger.warn({ err: error, requestId, url, method: req.method }, 'input refused only by the error handler');
    } else if (appError.code === 'SERVICE_UNAVAILABLE') {
      logger.warn({ err: error, requestId, url, method: req.method }, 'database unavailable');
    }
    if (res.headersSent) return;
    // Every 503 says when to try again (the API document promises it); an error that knows better says so itself.
    const retryAfter = appError.meta.retryAfterSeconds ?? (appError.httpStatus === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
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
