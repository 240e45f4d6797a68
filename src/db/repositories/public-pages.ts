import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { Role } from '../types.ts';
import { submittedAtOfConsultation } from '../submitted-on.ts';

/**
 * What the councils' public pages (/r) read. Only what a council has made public: responses whose
 * `published_at` is set (and whose letter is archived), the minutes of councils that publish them,
 * members who agreed to be listed. Never drafts, comments, votes or the authority's documents.
 */

/** At most this many published responses on a council's page; the newest first. */
export const PUBLIC_RESPONSES_SHOWN = 200;

/** Every council, with how many responses it has published; by name. */
export function listPublicCouncils(db: Executor) {
  return db
    .selectFrom('councils')
    .select([
      'councils.slug',
      'councils.name',
      'councils.municipality',
      (eb) =>
        eb
          .selectFrom('consultations')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('consultations.council_id', '=', 'councils.id')
          .where('consultations.published_at', 'is not', null)
          .as('published'),
    ])
    .orderBy('councils.name')
    .orderBy('councils.slug')
    .execute();
}

/** A council's public fields, by slug. */
export function findPublicCouncil(db: Executor, slug: string) {
  return db
    .selectFrom('councils')
    .select(['id', 'slug', 'name', 'municipality', 'public_description', 'public_email', 'minutes_published'])
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/** A published response of the council, or undefined (not the council's, not published, no letter). */
export function findPublishedResponse(db: Executor, councilId: number, consultationId: string) {
  return db
    .selectFrom('consultations')
    .select(['id', 'reference', 'title'])
    .where('id', '=', consultationId)
    .where('council_id', '=', councilId)
    .where('state', '=', 'submitted')
    .where('published_at', 'is not', null)
    .executeTakeFirst();
}

/** Members in `roles` sitting on `today` who agreed to be listed, with role and organisation; the chair first. */
export function listListedMembers(db: Executor, councilId: number, today: string, roles: readonly Role[]) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.name', 'memberships.role', 'memberships.title', 'memberships.organisation'])
    .where('memberships.council_id', '=', councilId)
    .where('memberships.listed_publicly', '=', true)
    .where('memberships.role', 'in', [...roles])
    .where('memberships.term_start', '<=', today)
    .where('memberships.term_end', '>=', today)
    .orderBy(sql`case memberships.role when 'chair' then 0 when 'member' then 1 else 2 end`)
    .orderBy('users.name')
    .execute();
}

/** The council's meetings from `now`, soonest first. */
export function listComingMeetings(db: Executor, councilId: number, now: Date, limit = 10) {
  return db
    .selectFrom('meetings')
    .select(['id', 'starts_at as startsAt', 'place'])
    .where('council_id', '=', councilId)
    .where('starts_at', '>=', now)
    .orderBy('starts_at')
    .limit(limit)
    .execute();
}

/**
 * Published responses with an archived letter, of one council or of every council (null): title,
 * authority, the day sent, the letter's size, what came of it, the council. A feed lists them newest
 * published first (what is new to a reader); a council's page newest sent first, as it shows the day
 * each was sent, so a response published late or put back up keeps its place among its year's.
 */
export function listPublishedResponses(
  db: Executor,
  councilId: number | null,
  { limit = PUBLIC_RESPONSES_SHOWN, newestFirstBy = 'published' }: { limit?: number; newestFirstBy?: 'published' | 'sent' } = {},
) {
  let query = db
    .selectFrom('consultations')
    .innerJoin('councils', 'councils.id', 'consultations.council_id')
    .innerJoin('archived_documents', (join) =>
      join.onRef('archived_documents.consultation_id', '=', 'consultations.id').on('archived_documents.kind', '=', 'letter'),
    )
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.authority',
      'consultations.reference',
      'consultations.published_at as publishedAt',
      'consultations.outcome',
      'consultations.outcome_note',
      'consultations.outcome_url',
      'consultations.outcome_recorded_at',
      'archived_documents.size_bytes as sizeBytes',
      'councils.slug as councilSlug',
      'councils.name as councilName',
      submittedAtOfConsultation().as('submittedAt'),
    ])
    .where('consultations.published_at', 'is not', null)
    .where('consultations.state', '=', 'submitted')
    .$narrowType<{ publishedAt: Date }>();
  if (councilId !== null) query = query.where('consultations.council_id', '=', councilId);
  const ordered = newestFirstBy === 'sent' ? query.orderBy(sql`"submittedAt"`, 'desc') : query;
  return ordered.orderBy('consultations.published_at', 'desc').orderBy('consultations.id').limit(limit).execute();
}

/** Archived minutes of the councils that publish them (councils.minutes_published): the one rule for every public read of minutes. */
function publishedMinutes(db: Executor) {
  return db
    .selectFrom('archived_documents')
    .innerJoin('meetings', 'meetings.id', 'archived_documents.meeting_id')
    .innerJoin('councils', 'councils.id', 'meetings.council_id')
    .where('archived_documents.kind', '=', 'minutes')
    .where('councils.minutes_published', '=', true);
}

/** The published minutes, newest archived first, of one council or of every council (null). */
export function listPublishedMinutes(db: Executor, councilId: number | null, limit = 100) {
  let query = publishedMinutes(db).select([
    'meetings.id as meetingId',
    'meetings.starts_at as startsAt',
    'archived_documents.created_at as archivedAt',
    'archived_documents.size_bytes as sizeBytes',
    'councils.slug as councilSlug',
    'councils.name as councilName',
  ]);
  if (councilId !== null) query = query.where('councils.id', '=', councilId);
  return query.orderBy('archived_documents.created_at', 'desc').limit(limit).execute();
}

/** The published minutes of one of the council's meetings, without bytes; undefined when there are none. */
export function findPublishedMinutes(db: Executor, councilId: number, meetingId: number) {
  return publishedMinutes(db)
    .select(['archived_documents.id', 'archived_documents.sha256', 'archived_documents.size_bytes as sizeBytes', 'meetings.starts_at as startsAt'])
    .where('councils.id', '=', councilId)
    .where('meetings.id', '=', meetingId)
    .executeTakeFirst();
}

/** The user's listing on the public pages of their councils: whether they are listed, with which organisation. */
export function listOwnListings(db: Executor, userId: number) {
  return db
    .selectFrom('memberships')
    .select(['council_id as councilId', 'listed_publicly as listed', 'organisation'])
    .where('user_id', '=', userId)
    .execute();
}

/** Sets whether a member is listed on the council's public page; false when they have no seat there. */
export async function setOwnListing(db: Executor, userId: number, councilId: number, listing: { listed: boolean; organisation: string | null }) {
  const result = await db
    .updateTable('memberships')
    .set({ listed_publicly: listing.listed, organisation: listing.organisation })
    .where('user_id', '=', userId)
    .where('council_id', '=', councilId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** What the councils say about themselves on their public pages, by id. */
export function listPublicProfiles(db: Executor, councilIds: readonly number[]) {
  if (councilIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('councils')
    .select(['id', 'public_description as description', 'public_email as email'])
    .where('id', 'in', [...councilIds])
    .execute();
}

/** Saves a council's description (Markdown) and public address. */
export async function savePublicProfile(db: Executor, councilId: number, profile: { description: string; email: string | null }) {
  await db
    .updateTable('councils')
    .set({ public_description: profile.description, public_email: profile.email })
    .where('id', '=', councilId)
    .execute();
}
