import { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { findCouncilByReferencePrefix, findCouncilBySlug, insertCouncil } from '../../db/repositories/councils.ts';
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

/**
 * `base` when no council uses it, else the first free of base2, base3, ... (references must
 * never collide between councils: NAE-2026-0001 belongs to one council only).
 */
async function freeReferencePrefix(db: Executor, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 8 - String(n).length)}${n}`;
    if (!(await findCouncilByReferencePrefix(db, candidate))) return candidate;
  }
}

/** Creates a council. Fails with CONFLICT when the slug is taken. */
export async function createCouncil(db: Executor, input: z.input<typeof newCouncilSchema>) {
  const values = parseInput(newCouncilSchema, input);
  if (values.referencePrefix && (await findCouncilByReferencePrefix(db, values.referencePrefix))) {
    throw new AppError('CONFLICT', `Præfikset ${values.referencePrefix} bruges allerede af et andet råd`, {
      details: [{ path: 'referencePrefix', message: 'Præfikset er allerede i brug' }],
    });
  }
  if (await findCouncilBySlug(db, values.slug)) {
    throw new AppError('CONFLICT', `Der findes allerede et råd med kortnavnet ${values.slug}`, {
      details: [{ path: 'slug', message: 'Kortnavnet er allerede i brug' }],
    });
  }
  const council = await insertCouncil(db, {
    slug: values.slug,
    name: values.name,
    municipality: values.municipality,
    reference_prefix: values.referencePrefix ?? (await freeReferencePrefix(db, defaultReferencePrefix(values.slug))),
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
