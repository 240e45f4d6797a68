import { z } from 'zod';
import { AppError } from '../domain/errors.ts';

/**
 * The one validation path of the web forms. Each route's schema (beside it, in `*.schemas.ts`)
 * shapes the body with `formField`; the handler parses it with `parseInput` inside the same
 * try as the domain call, and `formError` lets every VALIDATION_FAILED (from the shape or from
 * the domain) show the form again with `typedFields` and `fieldErrors`. A malformed or hostile
 * body is therefore a 422 form page, never a ZodError's 500, and nothing typed is lost.
 */

/** Field names a page never sends back: the CSRF token is fresh on every page, a password never leaves the server. */
const NEVER_SHOWN_AGAIN = new Set(['_csrf', 'password']);

/**
 * What the user typed, each field as one string, to fill the form again after a refusal. A field
 * sent more than once (only a hand-made request does that) keeps its first value.
 */
export function typedFields(body: unknown): Record<string, string> {
  const typed: Record<string, string> = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return typed;
  for (const [key, value] of Object.entries(body)) {
    if (NEVER_SHOWN_AGAIN.has(key)) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') typed[key] = first;
  }
  return typed;
}

function fieldTypeMessage(issue: { input?: unknown }): string {
  if (issue.input === undefined) return 'Skal udfyldes';
  if (Array.isArray(issue.input)) return 'Feltet er sendt mere end én gang';
  return 'Ugyldig værdi';
}

/**
 * One form field as a browser sends it: a single string, of at most `max` characters when the
 * route itself limits it (otherwise the domain's schema does, and the body limit bounds it). Too
 * long is refused with a message, never cut short; a repeated or missing field has its own.
 */
export function formField(max?: number, tooLong = `Højst ${max?.toLocaleString('da-DK')} tegn`) {
  const field = z.string({ error: fieldTypeMessage });
  return max === undefined ? field : field.max(max, tooLong);
}

/**
 * The errors a form shows beside its fields; anything else is rethrown for the error handler.
 * VALIDATION_FAILED always is one; a form may name more (e.g. STALE_VERSION for the draft).
 */
export function formError(error: unknown, alsoShown: readonly string[] = []): AppError {
  if (error instanceof AppError && (error.code === 'VALIDATION_FAILED' || alsoShown.includes(error.code))) return error;
  throw error;
}

/** A refusal's details as `{ field: message }` for the templates; the first message per field wins. */
export function fieldErrors(error?: AppError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const detail of error?.details ?? []) out[detail.path.split('.')[0] ?? detail.path] ??= detail.message;
  return out;
}
