import { z } from 'zod';
import { listOptedOutCouncilIds, setOptOuts } from '../../db/repositories/reminders.ts';
import type { Role } from '../../db/types.ts';
import type { Actor } from '../access/actor.ts';
import { calendarFeedUrl, renewCalendarFeed, type CalendarDeps } from '../calendar/service.ts';
import { mayActorReadInternals } from '../consultations/policy.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../validation.ts';

/** What the profile page shows: reminders per council and the calendar feed addresses. */
export interface ProfileView {
  name: string;
  email: string;
  feedUrl: string;
  councils: { slug: string; name: string; role: Role; reminders: boolean; feedUrl: string }[];
  /** Councils whose meeting calendar the user edits (as secretary). */
  secretaryOf: { slug: string; name: string }[];
  /** Councils whose handover report the user reads (their own people, not staff). */
  handoverOf: { slug: string; name: string }[];
}

/** The actor's own profile. Creates the feed tokens on the first visit. */
export async function getProfile(deps: CalendarDeps, actor: Actor): Promise<ProfileView> {
  const optedOut = new Set(await listOptedOutCouncilIds(deps.db, actor.userId));
  const councils = [];
  for (const council of actor.councils) {
    councils.push({
      slug: council.slug,
      name: council.name,
      role: council.role,
      reminders: !optedOut.has(council.councilId),
      feedUrl: await calendarFeedUrl(deps, actor, council.slug),
    });
  }
  const secretaryOf = actor.councils.filter((c) => c.role === 'secretary').map((c) => ({ slug: c.slug, name: c.name }));
  const handoverOf = actor.councils
    .filter((c) => mayActorReadInternals(actor, { council_id: c.councilId, created_by: null }))
    .map((c) => ({ slug: c.slug, name: c.name }));
  return { name: actor.name, email: actor.email, feedUrl: await calendarFeedUrl(deps, actor), councils, secretaryOf, handoverOf };
}

// A browser sends nothing for no ticked box, a string for one, and a list for several.
const slugList = z.preprocess(
  (value): unknown => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
  z.array(z.string().max(64)).max(500),
);

const reminderForm = z.object({ remind: slugList });

/**
 * Saves which of the actor's councils they get reminder mails for: `remind` lists the council slugs
 * ticked; every other council of theirs is switched off. A slug they do not sit on is refused.
 */
export async function saveReminderPreferences(deps: Pick<CalendarDeps, 'db'>, actor: Actor, input: unknown): Promise<void> {
  const { remind } = parseInput(reminderForm, input);
  const unknown = remind.filter((slug) => !actor.councils.some((c) => c.slug === slug));
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Ukendt råd', { details: [{ path: 'remind', message: 'Du sidder ikke i det valgte råd' }] });
  }
  const all = actor.councils.map((c) => c.councilId);
  const off = actor.councils.filter((c) => !remind.includes(c.slug)).map((c) => c.councilId);
  await deps.db.transaction().execute((tx) => setOptOuts(tx, actor.userId, all, off));
}

const renewForm = z.object({
  council: z
    .string()
    .max(64)
    .optional()
    .transform((v) => (v ? v : undefined)),
});

/** Gives a feed (the actor's own, or one council's) a new address; the old one stops working. */
export async function renewFeed(deps: CalendarDeps, actor: Actor, input: unknown): Promise<string> {
  const { council } = parseInput(renewForm, input);
  return renewCalendarFeed(deps, actor, council);
}
