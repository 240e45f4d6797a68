import { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { findCouncilBySlug, insertCouncil } from '../../db/repositories/councils.ts';
import { AppError } from '../errors.ts';
import { optionalText, parseInput, requiredText } from '../validation.ts';

export const newCouncilSchema = z.object({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Kortnavnet må kun have små bogstaver a-z, tal og bindestreg (2-63 tegn)'),
  name: requiredText(200),
  municipality: optionalText(200),
  referencePrefix: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-ZÆØÅ0-9]{2,8}$/, 'Præfikset skal være 2-8 store bogstaver eller tal')
    .optional(),
  letterheadAddress: optionalText(500),
  letterheadContact: optionalText(500),
});

/** "naestved" → "NAE", the default prefix of a council's own references (NAE-2026-0017). */
export function defaultReferencePrefix(slug: string): string {
  const letters = slug.replace(/[^a-z0-9]/g, '').toUpperCase();
  return (letters.slice(0, 3) || 'RAD').padEnd(2, 'X');
}

/** Creates a council. Fails with CONFLICT when the slug is taken. */
export async function createCouncil(db: Executor, input: z.input<typeof newCouncilSchema>) {
  const values = parseInput(newCouncilSchema, input);
  if (await findCouncilBySlug(db, values.slug)) {
    throw new AppError('CONFLICT', `Der findes allerede et råd med kortnavnet ${values.slug}`, {
      details: [{ path: 'slug', message: 'Kortnavnet er allerede i brug' }],
    });
  }
  const council = await insertCouncil(db, {
    slug: values.slug,
    name: values.name,
    municipality: values.municipality,
    reference_prefix: values.referencePrefix ?? defaultReferencePrefix(values.slug),
    letterhead_address: values.letterheadAddress ?? '',
    letterhead_contact: values.letterheadContact ?? '',
  });
  return {
    id: council.id,
    slug: council.slug,
    name: council.name,
    municipality: council.municipality,
    referencePrefix: council.reference_prefix,
  };
}
