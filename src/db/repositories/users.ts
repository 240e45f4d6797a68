import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import type { NewUser, Role, User } from '../types.ts';

/** Inserts a user (the e-mail must already be lower-cased) and returns it. */
export function insertUser(db: Executor, user: NewUser): Promise<User> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

/** The user with this e-mail (lower-cased), or undefined. */
export function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

/** The user with this id, or undefined. */
export function findUserById(db: Executor, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every user, by name. */
export function listUsers(db: Executor): Promise<User[]> {
  return db.selectFrom('users').selectAll().orderBy('name').execute();
}

/** One council a user sits on, with the role and the council's names. */
export interface UserCouncil {
  councilId: number;
  slug: string;
  name: string;
  municipality: string | null;
  role: Role;
  title: string | null;
}

/** Every council a user sits or sat on (any term), with their role and term on each. */
export function listMembershipsOfUser(db: Executor, userId: number): Promise<Array<UserCouncil & { termStart: string; termEnd: string }>> {
  return db
    .selectFrom('memberships')
    .innerJoin('councils', 'councils.id', 'memberships.council_id')
    .select([
      'councils.id as councilId',
      'councils.slug',
      'councils.name',
      'councils.municipality',
      'memberships.role',
      'memberships.title',
      'memberships.term_start as termStart',
      'memberships.term_end as termEnd',
    ])
    .where('memberships.user_id', '=', userId)
    .orderBy('councils.name')
    .execute();
}

/** Adds a person to a council with a role, or changes their role there. */
export function upsertMembership(db: Executor, membership: { userId: number; councilId: number; role: Role; title?: string | null }) {
  return db
    .insertInto('memberships')
    .values({
      user_id: membership.userId,
      council_id: membership.councilId,
      role: membership.role,
      title: membership.title ?? null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'council_id']).doUpdateSet({ role: membership.role, title: membership.title ?? null }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * True for a row of `memberships` whose term covers today: the condition every read of who sits on
 * a council now shares (the actor's councils, mail recipients, voters, the signing chair).
 */
export const termCoversToday = sql<boolean>`(now() at time zone 'Europe/Copenhagen')::date between memberships.term_start and memberships.term_end`;

/** The people who sit on a council now (their term covers today) with a given role, e.g. its chairs. */
export function listCouncilMembers(db: Executor, councilId: number, roles?: Role[]) {
  let query = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.title'])
    .where('memberships.council_id', '=', councilId)
    .where(termCoversToday)
    .where('users.disabled_at', 'is', null);
  if (roles && roles.length > 0) query = query.where('memberships.role', 'in', roles);
  return query.orderBy('users.name').execute();
}

/** Marks a user as disabled now (they can no longer log in or use tokens). */
export function disableUser(db: Executor, id: number) {
  return db
    .updateTable('users')
    .set({ disabled_at: new Date() })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Removes a person from a council. Returns the number of memberships removed (0 or 1). */
export async function deleteMembership(db: Executor, userId: number, councilId: number): Promise<number> {
  const result = await db.deleteFrom('memberships').where('user_id', '=', userId).where('council_id', '=', councilId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The councils of the user in the row `users` of the surrounding query, as JSON (as
 * {@link listMembershipsOfUser} gives them). One fragment for both reads of the actor (session and
 * API key), so the term rule lives here once: only a membership whose term covers today gives
 * access. An ended membership keeps its row, so what the person wrote stays attributed to them.
 */
export const councilsOfUsersRow = sql<UserCouncil[]>`coalesce((
  select json_agg(json_build_object(
    'councilId', c.id, 'slug', c.slug, 'name', c.name, 'municipality', c.municipality, 'role', memberships.role, 'title', memberships.title
  ) order by c.name)
  from memberships join councils c on c.id = memberships.council_id
  where memberships.user_id = users.id and ${termCoversToday}
), '[]'::json)`;

/** A user as the actor of a request needs them, with their councils. */
export type UserWithCouncils = Pick<User, 'id' | 'email' | 'name' | 'is_admin' | 'disabled_at' | 'totp_confirmed_at'> & { councils: UserCouncil[] };

/**
 * The user and the councils they sit on, in one round trip: an API request reads it for its key's
 * user (a page request reads it with its session, see findSessionWithUser).
 */
export async function findUserWithMemberships(db: Executor, id: number): Promise<UserWithCouncils | undefined> {
  return db
    .selectFrom('users')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.is_admin',
      'users.disabled_at',
      'users.totp_confirmed_at',
      councilsOfUsersRow.as('councils'),
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
}

/** Replaces a user's password hash. */
export async function setPasswordHash(db: Executor, id: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

/** Sets the term of one seat; false when the person has no seat on the council. */
export async function setMembershipTerm(db: Executor, userId: number, councilId: number, term: { start: string; end: string }): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ term_start: term.start, term_end: term.end })
    .where('user_id', '=', userId)
    .where('council_id', '=', councilId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Everyone who sits, sat or will sit on a council, with their term and whether it covers today
 * (`current`), for the administration: ending soonest first among those sitting now.
 */
export function listCouncilRoster(db: Executor, councilId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id as userId',
      'users.name',
      'users.email',
      'memberships.role',
      'memberships.title',
      'memberships.term_start as termStart',
      'memberships.term_end as termEnd',
      termCoversToday.as('current'),
      sql<boolean>`memberships.term_end < (now() at time zone 'Europe/Copenhagen')::date`.as('ended'),
    ])
    .where('memberships.council_id', '=', councilId)
    .orderBy('memberships.term_end')
    .orderBy('users.name')
    .execute();
}
