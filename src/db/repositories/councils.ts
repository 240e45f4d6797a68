import type { Executor } from '../database.ts';
import type { Council, CouncilUpdate, NewCouncil } from '../types.ts';

/** Inserts a council and returns it. */
export function insertCouncil(db: Executor, council: NewCouncil): Promise<Council> {
  return db.insertInto('councils').values(council).returningAll().executeTakeFirstOrThrow();
}

/** The council with this slug, or undefined. */
export function findCouncilBySlug(db: Executor, slug: string): Promise<Council | undefined> {
  return db.selectFrom('councils').selectAll().where('slug', '=', slug).executeTakeFirst();
}

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

/** The councils with these ids, by name. */
export function findCouncilsByIds(db: Executor, ids: readonly number[]): Promise<Council[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('councils')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('name')
    .execute();
}
