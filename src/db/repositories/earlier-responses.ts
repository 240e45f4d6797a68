import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../types.ts';
import { submittedOn } from '../submitted-on.ts';
import { visibleTo, type Viewer } from '../visibility.ts';

/**
 * How many of the council's newest finished consultations are weighed for "Tidligere høringssvar".
 * The candidates are read newest first through the partial index of finished consultations per
 * council (migration 2026-12-05T0500), so the query costs the same after twenty years as after one;
 * a council answers some tens of consultations a year, so this reaches years back.
 */
export const EARLIER_CANDIDATES = 400;

/** How many earlier responses the consultation page shows. */
export const EARLIER_SHOWN = 5;

/** What the earlier responses are compared with: the consultation being answered. */
export interface EarlierFor {
  consultationId: string;
  councilId: number;
  authority: string;
  /** The consultation's title and summary, the text the earlier ones are compared with. */
  text: string;
  viewer: Viewer;
}

/**
 * The council's submitted responses most like the consultation being answered, as a subquery for
 * jsonArrayFrom (the page reads them in the same round trip as the internals): those to the same
 * authority first, then by trigram similarity of their title and summary to this one's, then the
 * newest. Each with its title, authority, when it was sent (submittedOn) and the approved text the
 * letter was made from. The visibility rule (visibleTo) filters the candidates besides the council,
 * so no list of consultations escapes the one rule.
 */
export function earlierResponsesSubquery(eb: ExpressionBuilder<Database, never>, earlier: EarlierFor) {
  const candidates = eb
    .selectFrom('consultations')
    .select(['consultations.id', 'consultations.title', 'consultations.authority', 'consultations.summary'])
    .where('consultations.council_id', '=', earlier.councilId)
    // Spelled as the partial index's predicate so the planner uses it, then narrowed to the answered ones.
    .where('consultations.state', 'in', ['submitted', 'declined', 'withdrawn'])
    .where('consultations.state', '=', 'submitted')
    .where('consultations.id', '<>', earlier.consultationId)
    .where((c) => visibleTo(c, earlier.viewer))
    .orderBy('consultations.updated_at', 'desc')
    .orderBy('consultations.id', 'desc')
    .limit(EARLIER_CANDIDATES)
    .as('candidate');
  return eb
    .selectFrom(candidates)
    .innerJoin('archived_documents', (join) =>
      join.onRef('archived_documents.consultation_id', '=', 'candidate.id').on('archived_documents.kind', '=', 'letter'),
    )
    .innerJoin('response_versions', 'response_versions.id', 'archived_documents.response_version_id')
    .select([
      'candidate.id',
      'candidate.title',
      'candidate.authority',
      sql<Date>`(select ${submittedOn('e')} from consultation_events e
        where e.consultation_id = candidate.id and e.type = 'SUBMIT' order by e.id desc limit 1)`.as('submitted_at'),
      'response_versions.body',
      sql<boolean>`lower(candidate.authority) = lower(${earlier.authority})`.as('same_authority'),
      sql<number>`similarity(candidate.title || ' ' || coalesce(candidate.summary, ''), ${earlier.text})`.as('similarity'),
    ])
    .orderBy(sql`lower(candidate.authority) = lower(${earlier.authority})`, 'desc')
    .orderBy(sql`similarity(candidate.title || ' ' || coalesce(candidate.summary, ''), ${earlier.text})`, 'desc')
    .orderBy('archived_documents.created_at', 'desc')
    .orderBy('candidate.id')
    .limit(EARLIER_SHOWN);
}
