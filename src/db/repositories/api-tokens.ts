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
  return db
    .selectFrom('api_tokens')
    .select(['id', 'user_id'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Records that a token was used now. */
export async function touchApiToken(db: Executor, id: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}
