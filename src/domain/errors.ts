/** Stable error codes: the API returns them as they are, the UI maps them to Danish text. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'STALE_VERSION'
  | 'TRANSITION_NOT_ALLOWED'
  | 'RECIPIENT_ADDRESS_MISSING'
  | 'NOT_A_VOTER'
  | 'WRITTEN_PROCEDURE_CLOSED'
  | 'NO_VOTERS'
  | 'TOO_MANY_REQUESTS'
  | 'CSRF_FAILED'
  | 'RENDER_FAILED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

const httpStatusByCode: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 422,
  MALFORMED_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STALE_VERSION: 409,
  TRANSITION_NOT_ALLOWED: 422,
  // A SUBMIT by e-mail with no address to mail the letter to (typed or the authority's).
  RECIPIENT_ADDRESS_MISSING: 422,
  // A vote from someone who may see the consultation but is not one of the procedure's voters.
  NOT_A_VOTER: 403,
  // A vote that reached a written procedure after it closed (or none is running): it was not counted.
  WRITTEN_PROCEDURE_CLOSED: 409,
  // A written procedure in a council without a chair or members to vote.
  NO_VOTERS: 422,
  TOO_MANY_REQUESTS: 429,
  CSRF_FAILED: 403,
  RENDER_FAILED: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Every stable error code, read from the status table so that a new code is listed by itself (the API's `Error` schema). */
export const ERROR_CODES = Object.keys(httpStatusByCode) as [ErrorCode, ...ErrorCode[]];

/** The HTTP status the error handler answers a code with. */
export function httpStatusOf(code: ErrorCode): number {
  return httpStatusByCode[code];
}

/**
 * Stable codes for one field's refusal, where a client may want to act on the reason and not only
 * show the message; the error itself stays VALIDATION_FAILED, so every form shows it at its field.
 * NONEXISTENT_LOCAL_TIME: a Danish local time the clocks skip when summer time begins
 * (e.g. 2027-03-28T02:30); see readDanishDateTime in time.ts.
 */
export const ERROR_DETAIL_CODES = ['NONEXISTENT_LOCAL_TIME'] as const;
/** One of ERROR_DETAIL_CODES. */
export type ErrorDetailCode = (typeof ERROR_DETAIL_CODES)[number];

/** One field that failed validation: `path` as dotted keys, `message` in Danish, `code` for some reasons. */
export interface ErrorDetail {
  path: string;
  message: string;
  code?: ErrorDetailCode;
}

/**
 * The one error type the domain throws on purpose. Its `code` is stable; the HTTP error
 * handler maps it to a status, the API returns it, and the UI shows `message`.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Extra facts for the caller, e.g. the current version on STALE_VERSION. */
  readonly meta: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; meta?: Record<string, unknown> } = {}) {
    super(message);
    this.code = code;
    this.details = options.details ?? [];
    this.meta = options.meta ?? {};
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }
}

/** Shorthand for the 404 that hides whether something exists. */
export function notFound(what = 'Siden findes ikke'): AppError {
  return new AppError('NOT_FOUND', what);
}

/** Shorthand for a role that sees something but may not act on it. */
export function forbidden(message = 'Du har ikke adgang til at gøre dette'): AppError {
  return new AppError('FORBIDDEN', message);
}

/** SQLSTATE classes and codes that mean PostgreSQL could not serve the statement now, not that it was wrong. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
  '55P03', // lock_not_available: lock_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOENT', 'EHOSTUNREACH']);
// What pg and pg-pool throw when their own time limits pass or the connection goes.
const UNAVAILABLE_MESSAGES =
  /^(Query read timeout|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error)/;

/**
 * True when `error` says the database is unreachable, frozen or too slow (a connect, statement or
 * idle-transaction timeout, a lost connection): the request may succeed later, so it becomes
 * SERVICE_UNAVAILABLE rather than an unexpected error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || e.code.startsWith('08') || UNAVAILABLE_NODE_CODES.has(e.code))) {
    return true;
  }
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
}
