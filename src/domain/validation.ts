import { z } from 'zod';
import { AppError, type ErrorDetail, type ErrorDetailCode } from './errors.ts';
import { readDanishDateTime, type DanishTimeReading } from './time.ts';

// Every zod message Rådssvar shows is Danish unless a schema says otherwise.
z.config(z.locales.da());

/** zod issues as the API's `details`: one per field, dotted path, Danish message, and a detail code if the issue has one. */
export function issuesToDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => {
    const detail: ErrorDetail = { path: issue.path.map(String).join('.'), message: issue.message };
    const code = issue.code === 'custom' ? (issue.params as { detailCode?: ErrorDetailCode } | undefined)?.detailCode : undefined;
    return code ? { ...detail, code } : detail;
  });
}

/**
 * The value of a Danish date-time read with readDanishDateTime/readDeadline, or a zod issue:
 * `invalid` (at `invalidPath`, default the field being parsed) for text that is no date-time, and
 * for a time the clocks skip the clock change's own message with NONEXISTENT_LOCAL_TIME (at
 * `skippedPath`, default the same). Every schema that takes a local date-time goes through here,
 * so the refusal reads the same everywhere.
 */
export function danishTimeOrIssue(
  reading: DanishTimeReading,
  ctx: z.RefinementCtx,
  messages: { invalid: string; invalidPath?: string[]; skippedPath?: string[] },
): Date | typeof z.NEVER {
  if (reading.ok) return reading.instant;
  if (reading.problem === 'skipped') {
    const params = { detailCode: 'NONEXISTENT_LOCAL_TIME' satisfies ErrorDetailCode };
    ctx.addIssue({ code: 'custom', message: reading.message, path: messages.skippedPath, params });
  } else {
    ctx.addIssue({ code: 'custom', message: messages.invalid, path: messages.invalidPath });
  }
  return z.NEVER;
}

/**
 * A meeting's start from a date field and a time field in Danish time ("17:00" or "17.00"), between
 * the years 2000 and 2100; a time the clocks skip is refused at the time field. Both meeting forms
 * (the secretary's page and the administration) read it here.
 */
export function meetingStartOrIssue(fields: { date: string; time: string }, ctx: z.RefinementCtx, invalidDate: string): Date | typeof z.NEVER {
  const reading = readDanishDateTime(`${fields.date}T${fields.time.replace('.', ':')}`);
  const year = reading.ok ? reading.instant.getUTCFullYear() : 0;
  const inRange: DanishTimeReading = reading.ok && (year < 2000 || year > 2100) ? { ok: false, problem: 'invalid' } : reading;
  return danishTimeOrIssue(inRange, ctx, { invalid: invalidDate, invalidPath: ['date'], skippedPath: ['time'] });
}
/** Parses `input` with `schema`, or throws VALIDATION_FAILED with one detail per bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', {
      details: issuesToDetails(parsed.error),
    });
  }
  const nulDetails = nulCharacterDetails(parsed.data, []);
  if (nulDetails.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', { details: nulDetails });
  }
  return parsed.data;
}

// PostgreSQL cannot store U+0000 in text or jsonb: refuse it here rather than fail in the database.
function nulCharacterDetails(value: unknown, path: string[]): ErrorDetail[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ path: path.join('.'), message: 'Teksten indeholder et ugyldigt tegn (NUL)' }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => nulCharacterDetails(item, [...path, String(index)]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, item]) => nulCharacterDetails(item, [...path, key]));
  }
  return [];
}

/** A trimmed, non-empty text field with a Danish message. */
export function requiredText(max: number, message = 'Skal udfyldes') {
  return z.string().trim().min(1, message).max(max, `Højst ${max} tegn`);
}

/** A trimmed text field where an empty value means "none". */
export function optionalText(max: number) {
  return z
    .string()
    .trim()
    .max(max, `Højst ${max} tegn`)
    .optional()
    .nullable()
    .transform((value) => (value ? value : null));
}

/** An e-mail address, lower-cased. */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('Ugyldig e-mailadresse').max(254));

/** An optional e-mail address, lower-cased; empty means "none" (null). */
export const optionalEmailSchema = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  emailSchema
    .nullable()
    .optional()
    .transform((value) => value ?? null),
);

/** True for a UUID in its text form: an id that is anything else names no row, and is not sent to PostgreSQL (which would fail on it). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
