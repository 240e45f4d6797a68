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
