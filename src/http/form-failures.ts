import type { Request } from 'express';
import { AppError, type ErrorCode, type ErrorDetail } from '../domain/errors.ts';

/**
 * A refused form of a page, carried in the session across the 303 back to that page (Post/Redirect/
 * Get): the browser ends on the page's own address, a reload sends nothing again, and the page
 * shows the refusal beside the form with what was typed, once.
 */
export interface FormFailure {
  /** Which form of the page was sent (the page names its forms). */
  form: string;
  /** What the user typed, each field as one string (see `typedFields`). */
  typed: Record<string, string>;
  error: AppError;
}

interface StoredFormFailure {
  form: string;
  typed: Record<string, string>;
  code: ErrorCode;
  message: string;
  details: ErrorDetail[];
  meta: Record<string, unknown>;
}

declare module 'express-session' {
  interface SessionData {
    /** Refused forms waiting for the GET their redirect leads to, keyed by the page's path. */
    formFailures?: Record<string, StoredFormFailure>;
  }
}

// Pages a session can have a refusal waiting for at once (tabs posting at the same moment).
const MAX_WAITING_PAGES = 5;

/**
 * Keeps a refusal of a form on `page` (its path) for the next GET of that page in this session,
 * written before it resolves: express-session would otherwise send the redirect's headers before
 * its own save, and a browser that follows them at once would find nothing.
 */
export async function keepFormFailure(req: Request, page: string, failure: FormFailure): Promise<void> {
  const { error } = failure;
  const waiting = Object.entries(req.session.formFailures ?? {})
    .filter(([path]) => path !== page)
    .slice(-(MAX_WAITING_PAGES - 1));
  const stored: StoredFormFailure = {
    form: failure.form,
    typed: failure.typed,
    code: error.code,
    message: error.message,
    details: error.details,
    meta: error.meta,
  };
  req.session.formFailures = Object.fromEntries([...waiting, [page, stored]]);
  await new Promise<void>((resolve, reject) => req.session.save((error: unknown) => (error ? reject(toError(error)) : resolve())));
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The refusal waiting for `page`, if any; taking it removes it, so a reload shows the page plain. */
export function takeFormFailure(req: Request, page: string): FormFailure | undefined {
  const stored = req.session.formFailures?.[page];
  if (!stored) return undefined;
  const { [page]: _taken, ...rest } = req.session.formFailures ?? {};
  req.session.formFailures = Object.keys(rest).length > 0 ? rest : undefined;
  const error = new AppError(stored.code, stored.message, { details: stored.details, meta: stored.meta });
  return { form: stored.form, typed: stored.typed, error };
}
