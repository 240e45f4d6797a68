import { sql } from 'kysely';

/**
 * When a consultation's response was sent, from its SUBMIT event row (the table or alias
 * `events`): the day the secretary recorded it was sent ("submittedAt", for a response sent
 * through a portal or by letter before it was registered here), at noon Danish time, else the
 * time the SUBMIT was recorded. The one reading of it for every list of answered consultations.
 */
export function submittedOn(events: string) {
  return sql<Date>`coalesce(((${sql.ref(`${events}.payload`)}->>'submittedAt')::date + time '12:00') at time zone 'Europe/Copenhagen', ${sql.ref(`${events}.at`)})`;
}

/**
 * When the response of the row `consultations` was sent (by {@link submittedOn}, its latest SUBMIT),
 * as a column of a query over `consultations`; null before it is submitted.
 */
export function submittedAtOfConsultation() {
  return sql<Date | null>`(select max(${submittedOn('submit_events')}) from consultation_events as submit_events
    where submit_events.consultation_id = consultations.id and submit_events.type = 'SUBMIT')`;
}
