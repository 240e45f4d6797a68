import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import { deleteCouncilMeeting } from '../../db/repositories/council-meetings.ts';
import { deletingMeeting } from './archived-minutes.ts';
import { insertMeeting, listMeetings } from '../../db/repositories/meetings.ts';
import type { Council, Meeting } from '../../db/types.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { notFound } from '../errors.ts';
import type { Clock } from '../time.ts';
import { meetingStartOrIssue, optionalText, parseInput, requiredText } from '../validation.ts';

export interface MeetingDeps {
  db: Db;
  clock: Clock;
}

/** A council's meeting calendar as its secretary edits it. */
export interface MeetingCalendar {
  council: { slug: string; name: string };
  upcoming: Meeting[];
  past: Meeting[];
}

/** How many past meetings the page lists, newest first. */
const PAST_SHOWN = 5;

/** The council, when the actor is its secretary or an administrator; 404 for everyone else. */
async function councilForSecretary(deps: MeetingDeps, actor: Actor, slug: string): Promise<Council> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !(actor.isAdmin || roleIn(actor, council.id) === 'secretary')) throw notFound('Siden findes ikke');
  return council;
}

/** The council's meetings, upcoming first; only its secretary (or an administrator) may see this page. */
export async function getMeetingCalendar(deps: MeetingDeps, actor: Actor, slug: string): Promise<MeetingCalendar> {
  const council = await councilForSecretary(deps, actor, slug);
  const now = deps.clock().getTime();
  const meetings = await listMeetings(deps.db, council.id);
  return {
    council: { slug: council.slug, name: council.name },
    upcoming: meetings.filter((m) => m.starts_at.getTime() >= now),
    past: meetings
      .filter((m) => m.starts_at.getTime() < now)
      .reverse()
      .slice(0, PAST_SHOWN),
  };
}

const meetingForm = z
  .object({
    date: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Vælg en dato'),
    time: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Skriv et klokkeslæt som 17:00'),
    place: requiredText(200, 'Skriv hvor mødet holdes'),
    note: optionalText(500),
  })
  .transform((v, ctx) => {
    const startsAt = meetingStartOrIssue(v, ctx, 'Ugyldig dato');
    return { startsAt, place: v.place, note: v.note };
  });

/** Adds a meeting (date and time in Danish time) to the council's calendar. */
export async function addMeeting(deps: MeetingDeps, actor: Actor, slug: string, input: unknown): Promise<Meeting> {
  const council = await councilForSecretary(deps, actor, slug);
  const values = parseInput(meetingForm, input);
  return insertMeeting(deps.db, { councilId: council.id, ...values });
}

/** Removes a meeting from the council's calendar; NOT_FOUND when it is not the council's. */
export async function removeMeeting(deps: MeetingDeps, actor: Actor, slug: string, meetingId: number): Promise<void> {
  const council = await councilForSecretary(deps, actor, slug);
  if (!(await deletingMeeting(() => deleteCouncilMeeting(deps.db, council.id, meetingId)))) throw notFound('Mødet findes ikke');
}
