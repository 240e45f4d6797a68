import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/**
 * Indexes for the queue. A user sees their councils' consultations and the unassigned ones they
 * registered themselves; the second half had no index, so every queue load read every unassigned
 * consultation. With this partial index PostgreSQL combines the council index and this one in a
 * bitmap, reads only the user's rows and sorts those few by deadline.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('consultations_unassigned_creator_idx')
    .on('consultations')
    .columns(['created_by', 'deadline', 'id'])
    .where(sql.ref('council_id'), 'is', null)
    .execute();
  // A chair's "awaiting your approval" box: the few consultations in that state, per council, by deadline.
  await db.schema
    .createIndex('consultations_awaiting_approval_idx')
    .on('consultations')
    .columns(['council_id', 'deadline', 'id'])
    .where(sql.ref('state'), '=', 'awaiting_approval')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('consultations_awaiting_approval_idx').ifExists().execute();
  await db.schema.dropIndex('consultations_unassigned_creator_idx').ifExists().execute();
}
