import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { submittedOn } from '../submitted-on.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/*
 * What a council's handover report reads (src/domain/councils/handover.ts): the responses it
 * submitted in a period, the words their titles share, what is still open, the meetings held, the
 * authorities' addresses it has written to. Each a bounded read of one council; every list of
 * consultations goes through the one visibility rule (visibleTo).
 */

/** A period of whole Danish days, both included (YYYY-MM-DD). */
export interface DayPeriod {
  start: string;
  end: string;
}

/** The most a report lists of each kind; a council answers some tens of consultations a year. */
export const HANDOVER_LIMITS = { answered: 1000, open: 200, meetings: 200, contacts: 100 } as const;

/** Midnight in Copenhagen at the start of the period's first day. */
export const periodFrom = (period: DayPeriod) => sql<Date>`(${period.start}::date)::timestamp at time zone 'Europe/Copenhagen'`;
/** Midnight in Copenhagen at the end of the period's last day. */
export const periodUntil = (period: DayPeriod) => sql<Date>`((${period.end}::date + 1)::timestamp) at time zone 'Europe/Copenhagen'`;

/**
 * The council's consultations submitted in the period (when the SUBMIT says it was sent), oldest first,
 * with whether an archived letter is there to link to.
 */
export function listAnsweredInPeriod(db: Executor, viewer: Viewer, councilId: number, period: DayPeriod) {
  return db
    .selectFrom('consultations')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('consultation_events')
          .select(sql<Date>`max(${submittedOn('consultation_events')})`.as('at'))
          // Two answers sent the same day keep the order they were recorded in.
          .select(sql<Date>`max(consultation_events.at)`.as('recorded_at'))
          .whereRef('consultation_events.consultation_id', '=', 'consultations.id')
          .where('consultation_events.type', '=', 'SUBMIT')
          .as('submission'),
      (join) => join.onTrue(),
    )
    .leftJoin('archived_documents', (join) =>
      join.onRef('archived_documents.consultation_id', '=', 'consultations.id').on('archived_documents.kind', '=', 'letter'),
    )
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.reference',
      'consultations.authority',
      'consultations.authority_reference',
      sql<Date>`submission.at`.as('submitted_at'),
      sql<boolean>`archived_documents.id is not null`.as('has_letter'),
    ])
    .where('consultations.council_id', '=', councilId)
    .where('consultations.state', '=', 'submitted')
    .where((eb) => visibleTo(eb, viewer))
    .where(sql<boolean>`submission.at >= ${periodFrom(period)} and submission.at < ${periodUntil(period)}`)
    .orderBy(sql`submission.at`)
    .orderBy(sql`submission.recorded_at`)
    .orderBy('consultations.id')
    .limit(HANDOVER_LIMITS.answered)
    .execute();
}

/**
 * Every word of four letters or more in the titles of the given consultations, with its Danish
 * stem (PostgreSQL's danish dictionary: "strategien" and "strategi" share one; a stop word has
 * none), leaving out the words that share a stem with one of `leaveOut`. The report groups the
 * consultations by the stems several titles share.
 */
export async function listTitleWords(db: Executor, consultationIds: readonly string[], leaveOut: readonly string[]) {
  if (consultationIds.length === 0) return [];
  const result = await sql<{ id: string; word: string; stem: string }>`
    with words as (
      select c.id, w.word, (select lexeme from unnest(to_tsvector('danish', w.word)) limit 1) as stem
      from consultations c
      cross join lateral regexp_split_to_table(lower(c.title), '[^[:alpha:]]+') as w(word)
      where c.id = any(${[...consultationIds]}) and char_length(w.word) >= 4
    )
    select id, word, stem from words
    where stem is not null
      and stem not in (select lexeme from unnest(${[...leaveOut]}::text[]) as g(word), unnest(to_tsvector('danish', g.word)))`.execute(db);
  return result.rows;
}

/** The council's consultations not yet in a final state, soonest deadline first. */
export function listOpenOfCouncil(db: Executor, viewer: Viewer, councilId: number, finalStates: readonly string[]) {
  return db
    .selectFrom('consultations')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.reference',
      'consultations.authority',
      'consultations.deadline',
      'consultations.state',
    ])
    .where('consultations.council_id', '=', councilId)
    .where('consultations.state', 'not in', [...finalStates])
    .where((eb) => visibleTo(eb, viewer))
    .orderBy('consultations.deadline')
    .orderBy('consultations.id')
    .limit(HANDOVER_LIMITS.open)
    .execute();
}

/** The council's meetings in the period that have begun by `now`, with whether their minutes are archived. */
export function listMeetingsHeld(db: Executor, councilId: number, period: DayPeriod, now: Date) {
  return db
    .selectFrom('meetings')
    .leftJoin('archived_documents', (join) =>
      join.onRef('archived_documents.meeting_id', '=', 'meetings.id').on('archived_documents.kind', '=', 'minutes'),
    )
    .select(['meetings.id', 'meetings.starts_at', 'meetings.place', sql<boolean>`archived_documents.id is not null`.as('has_minutes')])
    .where('meetings.council_id', '=', councilId)
    .where('meetings.starts_at', '>=', periodFrom(period))
    .where('meetings.starts_at', '<', periodUntil(period))
    .where('meetings.starts_at', '<=', now)
    .orderBy('meetings.starts_at')
    .limit(HANDOVER_LIMITS.meetings)
    .execute();
}

/**
 * The authorities' addresses the council's consultations came with, one row per address (case
 * aside): the authority's name as last used, how many consultations, and the last one's date.
 */
export function listAuthorityContacts(db: Executor, viewer: Viewer, councilId: number) {
  return db
    .selectFrom('consultations')
    .select([
      sql<string>`lower(consultations.authority_email)`.as('email'),
      sql<string>`(array_agg(consultations.authority order by consultations.received_at desc))[1]`.as('authority'),
      sql<number>`count(*)::int`.as('consultations'),
      sql<string>`max(consultations.received_at)`.as('last_received'),
    ])
    .where('consultations.council_id', '=', councilId)
    .where('consultations.authority_email', 'is not', null)
    .where('consultations.authority_email', '<>', '')
    .where((eb) => visibleTo(eb, viewer))
    .groupBy(sql`lower(consultations.authority_email)`)
    .orderBy(sql`max(consultations.received_at)`, 'desc')
    .orderBy(sql`lower(consultations.authority_email)`)
    .limit(HANDOVER_LIMITS.contacts)
    .execute();
}
