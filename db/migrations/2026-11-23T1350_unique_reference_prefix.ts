import { type Kysely } from 'kysely';

// Two councils with one prefix would hand out the same reference (NAE-2026-0001) and the second
// assignment would fail on consultations.reference's unique constraint.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('councils_reference_prefix_key').on('councils').column('reference_prefix').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('councils_reference_prefix_key').ifExists().execute();
}
