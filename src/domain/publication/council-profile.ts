import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { listOwnListings, listPublicProfiles, savePublicProfile, setOwnListing } from '../../db/repositories/public-pages.ts';
import type { Role } from '../../db/types.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import { optionalEmailSchema, optionalText, parseInput } from '../validation.ts';

/** Roles that may be listed on a council's public page (staff serve the municipality, not the council). */
export const LISTED_ROLES: readonly Role[] = ['chair', 'member', 'secretary'];

/** For the profile page: per council, the user's own listing, and for a secretary what the council's page says. */
export interface PublicProfileView {
  slug: string;
  name: string;
  listed: boolean;
  organisation: string;
  /** Only where the user is the council's secretary: the description and address they edit. */
  page: { description: string; email: string } | null;
}

/** The user's listings and, for the councils they are secretary of, the public page texts. */
export async function publicProfileViews(deps: { db: Db }, actor: Actor): Promise<PublicProfileView[]> {
  const seats = actor.councils.filter((c) => LISTED_ROLES.includes(c.role));
  const listings = new Map((await listOwnListings(deps.db, actor.userId)).map((l) => [l.councilId, l]));
  const secretaryOf = seats.filter((c) => c.role === 'secretary').map((c) => c.councilId);
  const pages = new Map((await listPublicProfiles(deps.db, secretaryOf)).map((p) => [p.id, p]));
  return seats.map((c) => {
    const page = pages.get(c.councilId);
    return {
      slug: c.slug,
      name: c.name,
      listed: listings.get(c.councilId)?.listed ?? false,
      organisation: listings.get(c.councilId)?.organisation ?? '',
      page: page ? { description: page.description, email: page.email ?? '' } : null,
    };
  });
}

const listingForm = z.object({
  council: z.string().max(64),
  listed: z.preprocess((v) => v === '1' || v === 'on' || v === true, z.boolean()),
  organisation: optionalText(200),
});

/**
 * Says whether the actor is listed, with their organisation, on the public page of one of their
 * councils: their own consent, which only they give. NOT_FOUND for a council they have no seat in.
 */
export async function saveOwnListing(deps: { db: Db }, actor: Actor, input: unknown): Promise<void> {
  const form = parseInput(listingForm, input);
  const seat = actor.councils.find((c) => c.slug === form.council && LISTED_ROLES.includes(c.role));
  if (!seat) throw notFound('Du sidder ikke i det råd');
  await setOwnListing(deps.db, actor.userId, seat.councilId, { listed: form.listed, organisation: form.organisation ?? null });
}

/** The public page form: the description in Markdown and the address to write to. */
export const publicProfileForm = z.object({
  description: z.string().max(5000, 'Højst 5000 tegn').default(''),
  email: optionalEmailSchema,
});

/**
 * Saves what a council's public page says about it, by its secretary. FORBIDDEN for anyone else
 * who sits on the council, NOT_FOUND for outsiders.
 */
export async function saveCouncilPublicProfile(deps: { db: Db }, actor: Actor, slug: string, input: unknown): Promise<void> {
  const form = parseInput(publicProfileForm, input);
  const seat = actor.councils.find((c) => c.slug === slug);
  if (!seat) throw notFound('Rådet findes ikke');
  if (seat.role !== 'secretary') throw new AppError('FORBIDDEN', 'Kun rådets sekretær redigerer rådets offentlige side');
  await savePublicProfile(deps.db, seat.councilId, { description: form.description.trim(), email: form.email ?? null });
}
