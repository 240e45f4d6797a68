import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** Records a SAML request sent to the identity provider, and deletes those older than `maxAgeMs`. */
export async function saveSamlRequest(db: Executor, id: string, issuedAt: string, maxAgeMs: number): Promise<Date> {
  await db
    .deleteFrom('saml_requests')
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${maxAgeMs / 1000})`)
    .execute();
  const row = await db.insertInto('saml_requests').values({ id, issued_at: issuedAt }).returning('created_at').executeTakeFirstOrThrow();
  return row.created_at;
}

/** The IssueInstant of a request sent less than `maxAgeMs` ago and not yet answered, or null. */
export async function findSamlRequest(db: Executor, id: string, maxAgeMs: number): Promise<string | null> {
  const row = await db
    .selectFrom('saml_requests')
    .select('issued_at')
    .where('id', '=', id)
    .where('created_at', '>=', sql<Date>`now() - make_interval(secs => ${maxAgeMs / 1000})`)
    .executeTakeFirst();
  return row?.issued_at ?? null;
}

/**
 * Deletes a request and says whether it was there: one statement, so of two answers to the same
 * request — in any process — only one finds it.
 */
export async function takeSamlRequest(db: Executor, id: string): Promise<string | null> {
  const row = await db.deleteFrom('saml_requests').where('id', '=', id).returning('issued_at').executeTakeFirst();
  return row?.issued_at ?? null;
}
