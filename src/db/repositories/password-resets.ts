import type { Executor } from '../database.ts';

/** Keeps a mailed reset token (by its hash) for `userId`, good until `expiresAt`. */
export async function insertResetToken(db: Executor, token: { tokenHash: string; userId: number; expiresAt: Date }): Promise<void> {
  await db.insertInto('password_reset_tokens').values({ token_hash: token.tokenHash, user_id: token.userId, expires_at: token.expiresAt }).execute();
}

/** The user of an open token (unused, not expired at `now`) whose user is not disabled; else undefined. */
export async function findOpenResetToken(db: Executor, tokenHash: string, now: Date): Promise<{ userId: number } | undefined> {
  return db
    .selectFrom('password_reset_tokens')
    .innerJoin('users', 'users.id', 'password_reset_tokens.user_id')
    .select('password_reset_tokens.user_id as userId')
    .where('password_reset_tokens.token_hash', '=', tokenHash)
    .where('password_reset_tokens.used_at', 'is', null)
    .where('password_reset_tokens.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Uses an open token up, in one statement, so two requests with the same token cannot both use
 * it; returns its user, or undefined when it was not open at `now`.
 */
export async function useResetToken(db: Executor, tokenHash: string, now: Date): Promise<{ userId: number } | undefined> {
  return db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id as userId')
    .executeTakeFirst();
}

/** Uses up every open token of a user (their password was just set). */
export async function useAllResetTokensOf(db: Executor, userId: number, now: Date): Promise<void> {
  await db.updateTable('password_reset_tokens').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}
