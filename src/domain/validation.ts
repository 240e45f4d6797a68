import { z } from 'zod';
import { AppError, type ErrorDetail } from './errors.ts';

// Every zod message Rådssvar shows is Danish unless a schema says otherwise.
z.config(z.locales.da());

/** zod issues as the API's `details`: one per field, dotted path, Danish message. */
export function issuesToDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
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
