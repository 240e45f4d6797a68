import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { councilsOfUsersRow, type UserWithCouncils } from './users.ts';

// A session is found by the SHA-256 of its id (`sid_hash`, hex): the id itself is only in the cookie.
// `expire` is a timestamp without time zone (the layout connect-pg-simple used, so that sessions
// from before survive): it is always computed and compared in SQL, from now(), so both sides use
// the server's own time zone setting.

/**
 * A session that has not expired (its JSON text) with the user it is logged in as and their
 * councils, in one round trip: every page request of a signed-in person reads this, so the
 * session and the actor cost one statement together. `user` is undefined for an anonymous
 * session or a user who is gone.
 */
export async function findSessionWithUser(db: Executor, sidHash: string): Promise<{ json: string; user?: UserWithCouncils } | undefined> {
  const row = await db
    .selectFrom('session')
    .leftJoin('users', (join) =>
      join.on(
        'users.id',
        '=',
        // Passport keeps the user id as a JSON number (src/http/passport.ts); anything else is no user.
        sql<number>`(case when json_typeof(session.sess -> 'passport' -> 'user') = 'number' then (session.sess -> 'passport' ->> 'user')::bigint end)`,
      ),
    )
    .select([
      sql<string>`session.sess::text`.as('json'),
      'users.id',
      'users.email',
      'users.name',
      'users.is_admin',
      'users.disabled_at',
      'users.totp_confirmed_at',
      councilsOfUsersRow.as('councils'),
    ])
    .where('session.sid_hash', '=', sidHash)
    .where(sql<boolean>`session.expire >= now()`)
    .executeTakeFirst();
  if (!row) return undefined;
  const { json, id, email, name, is_admin, disabled_at, totp_confirmed_at, councils } = row;
  return {
    json,
    user:
      id === null
        ? undefined
        : {
            id,
            email: email!,
            name: name!,
            is_admin: is_admin!,
            disabled_at: disabled_at ?? null,
            totp_confirmed_at: totp_confirmed_at ?? null,
            councils,
          },
  };
}

/** Writes a session's data (JSON text) and moves its expiry to `idleSeconds` from now. */
export async function saveSession(db: Executor, sidHash: string, json: string, idleSeconds: number): Promise<void> {
  await db
    .insertInto('session')
    .values({ sid_hash: sidHash, sess: sql`${json}::json`, expire: sql`now() + make_interval(secs => ${idleSeconds})` })
    .onConflict((oc) => oc.column('sid_hash').doUpdateSet({ sess: sql`excluded.sess`, expire: sql`excluded.expire` }))
    .execute();
}

/** Moves a session's expiry to `idleSeconds` from now, leaving its data alone. */
export async function touchSession(db: Executor, sidHash: string, idleSeconds: number): Promise<void> {
  await db
    .updateTable('session')
    .set({ expire: sql`now() + make_interval(secs => ${idleSeconds})` })
    .where('sid_hash', '=', sidHash)
    .execute();
}

/** Removes a session (logout, a new session at login). */
export async function deleteSession(db: Executor, sidHash: string): Promise<void> {
  await db.deleteFrom('session').where('sid_hash', '=', sidHash).execute();
}

/** Removes every expired session; returns how many. */
export async function deleteExpiredSessions(db: Executor): Promise<number> {
  const result = await db
    .deleteFrom('session')
    .where(sql<boolean>`expire < now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Removes every session logged in as `userId` (a changed or reset password), except the one
 * whose hash is `keepSidHash`; returns how many.
 */
export async function deleteSessionsOfUser(db: Executor, userId: number, keepSidHash?: string): Promise<number> {
  let query = db.deleteFrom('session').where(sql<boolean>`sess -> 'passport' ->> 'user' = ${String(userId)}`);
  if (keepSidHash !== undefined) query = query.where('sid_hash', '<>', keepSidHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
