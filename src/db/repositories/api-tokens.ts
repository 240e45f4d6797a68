import type { Executor } from '../database.ts';

/** Stores a token's hash for a user. */
export function insertApiToken(db: Executor, token: { userId: number; name: string; tokenHash: string }) {
  return db
    .insertInto('api_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.tokenHash })
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** The live (not revoked) token with this hash and its user's id, or undefined. */
export function findLiveApiToken(db: Executor, tokenHash: string) {
  return db.selectFrom('api_tokens').select(['id', 'user_id']).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
}

/** Records that a token was used now. */
export async function touchApiToken(db: Executor, id: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

/** A user's tokens, newest first, without their hashes. */
export function listApiTokensOfUser(db: Executor, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes a user's live token. Returns the number of tokens revoked (0 or 1). */
export async function revokeApiToken(db: Executor, userId: number, tokenId: number): Promise<number> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
