import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../logger.ts';

/**
 * The paths whose next segment is a secret (a password-reset link, a status link, a calendar feed,
 * a reminder's unsubscribe link, a written procedure's vote link, a subscription's confirmation
 * and unsubscribe links).
 */
const SECRET_SEGMENT = /^(\/(?:password\/reset|status|calendar|reminders\/unsubscribe|vote|abonnement\/bekraeft|abonnement\/afmeld)\/)[^/?#.]+/;

/** The URL as the log may keep it: a secret in the path is replaced by "[skjult]". */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_SEGMENT, '$1[skjult]');
}

/** The request's id (see requestLogging), for log lines about it and the error page. */
export function requestIdOf(req: IncomingMessage): string {
  return typeof req.id === 'string' ? req.id : '';
}

/** A response the client gave up on before it was sent in full. */
function aborted(res: ServerResponse): boolean {
  return !res.writableFinished;
}

/**
 * pino-http with the app's logger: gives every request an id (a UUID), sent back as
 * `X-Request-Id` (error pages and error logs show it), and logs one line per response, finished
 * or aborted: id, method, URL with its secret hidden, client address, status and milliseconds.
 * Paths for which `ignore` is true get an id but no line. The error handler logs an unexpected
 * error itself, with its stack, under the same id.
 */
export function requestLogging(logger: Logger, options: { ignore?: (path: string) => boolean } = {}): RequestHandler {
  const message = (_req: IncomingMessage, res: ServerResponse) => (aborted(res) ? 'request aborted' : 'request completed');
  return pinoHttp({
    logger,
    genReqId: (_req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => options.ignore?.((req.url ?? '').split('?')[0]!) ?? false },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: message,
    customErrorMessage: message,
    // Only the request line: the error itself is the error handler's line.
    customErrorObject: (_req, _res, _error, value: { res: unknown; responseTime: number }) => ({ res: value.res, responseTime: value.responseTime }),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: loggableUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
