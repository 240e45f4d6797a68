import type { Executor } from '../database.ts';
import { statementTemplate } from '../prepared.ts';
import type { Council, CouncilsTable, CouncilUpdate, NewCouncil } from '../types.ts';

/** Inserts a council and returns it. */
export function insertCouncil(db: Executor, council: NewCouncil): Promise<Council> {
  return db.insertInto('councils').values(council).returningAll().executeTakeFirstOrThrow();
}

/** The council with this slug, or undefined. */
export async function findCouncilBySlug(db: Executor, slug: string): Promise<Council | undefined> {
  return (await db.executeQuery(councilBySlugStatement.bind(db, { slug }))).rows[0];
}

/** Every column of a council, listed for the prepared statement below. */
export const COUNCIL_COLUMNS = [
  'id',
  'slug',
  'name',
  'municipality',
  'reference_prefix',
  'letterhead_address',
  'letterhead_contact',
  'letterhead_logo',
  'letterhead_logo_type',
  'due_soon_working_days',
  'reminder_working_days',
  'created_at',
] as const satisfies readonly (keyof CouncilsTable)[];

// Every registration and assignment looks the council up by slug: prepared, planned once per
// connection. Its columns are listed rather than `*`, so a column added by a migration does not
// break the statement in processes that prepared it before (see CONSULTATION_COLUMNS).
const councilBySlugStatement = statementTemplate((db, slot: (name: 'slug') => never) =>
  db.selectFrom('councils').select(COUNCIL_COLUMNS).where('slug', '=', slot('slug')),
);

/** The council using this reference prefix, or undefined. */
export function findCouncilByReferencePrefix(db: Executor, prefix: string): Promise<Council | undefined> {
  return db.selectFrom('councils').selectAll().where('reference_prefix', '=', prefix).executeTakeFirst();
}

/** The council with this id, or undefined. */
export function findCouncilById(db: Executor, id: number): Promise<Council | undefined> {
  return db.selectFrom('councils').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every council, by name. */
export function listCouncils(db: Executor): Promise<Council[]> {
  return db.selectFrom('councils').selectAll().orderBy('name').execute();
}

/** Changes a council's fields. */
export function updateCouncil(db: Executor, id: number, changes: CouncilUpdate): Promise<Council | undefined> {
  return db.updateTable('councils').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
}
