import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { termCoversToday } from './users.ts';

/**
 * The (council, term end) pairs where people sitting on `today` have a term that ends between
 * `today` and `horizon` (YYYY-MM-DD, both included), with the council's name and slug. Read
 * through the index on (term_end, council_id).
 */
export function listEndingTerms(db: Executor, today: string, horizon: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('councils', 'councils.id', 'memberships.council_id')
    .select(['memberships.council_id as councilId', 'memberships.term_end as termEnd', 'councils.name', 'councils.slug'])
    .where('memberships.term_end', '>=', today)
    .where('memberships.term_end', '<=', horizon)
    .where('memberships.term_start', '<=', today)
    .groupBy(['memberships.council_id', 'memberships.term_end', 'councils.name', 'councils.slug'])
    .orderBy('memberships.term_end')
    .orderBy('memberships.council_id')
    .execute();
}

/** Records that the reminder for (council, term end) is being sent; false when it was already. */
export async function claimTermReminder(tx: Executor, councilId: number, termEnd: string): Promise<boolean> {
  const claimed = await tx
    .insertInto('term_reminders')
    .values({ council_id: councilId, term_end: termEnd })
    .onConflict((oc) => oc.columns(['council_id', 'term_end']).doNothing())
    .returning('council_id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The people of the council whose term ends on `termEnd`, by name. */
export function listPeopleWithTermEnd(db: Executor, councilId: number, termEnd: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.name', 'memberships.role'])
    .where('memberships.council_id', '=', councilId)
    .where('memberships.term_end', '=', termEnd)
    .where('users.disabled_at', 'is', null)
    .orderBy('users.name')
    .execute();
}

/** Who is told a council's terms end: its secretaries sitting now, and every active administrator (one row per address). */
export async function listTermReminderRecipients(db: Executor, councilId: number) {
  const result = await sql<{ id: number; email: string; name: string; isAdmin: boolean }>`
    select distinct on (lower(u.email)) u.id, u.email, u.name, u.is_admin as "isAdmin"
    from users u
    where u.disabled_at is null
      and (u.is_admin or exists (
        select 1 from memberships
        where memberships.user_id = u.id and memberships.council_id = ${councilId} and memberships.role = 'secretary'
          and ${termCoversToday}))
    order by lower(u.email), u.id`.execute(db);
  return result.rows;
}
