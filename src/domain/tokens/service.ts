import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/database.ts';
import { findLiveApiToken, insertApiToken, touchApiToken } from '../../db/repositories/api-tokens.ts';
import { findUserByEmail } from '../../db/repositories/users.ts';
import { AppError } from '../errors.ts';
import { emailSchema, parseInput } from '../validation.ts';
import { z } from 'zod';

const TOKEN_PREFIX = 'rs_';

/** The SHA-256 of a token, which is all the database keeps of it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a personal API token for a user; the plain token is returned once and never stored. */
export async function createApiToken(db: Executor, input: { email: string; name?: string }) {
  const { email, name } = parseInput(z.object({ email: emailSchema, name: z.string().trim().max(100).optional() }), input);
  const user = await findUserByEmail(db, email);
  if (!user || user.disabled_at) {
    throw new AppError('NOT_FOUND', `Ingen aktiv bruger med e-mailen ${email}`, {
      details: [{ path: 'email', message: 'Ukendt bruger' }],
    });
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await insertApiToken(db, { userId: user.id, name: name || 'API-nøgle', tokenHash: hashToken(token) });
  return { token };
}

/** The user id behind a bearer token, or undefined when the token is unknown or revoked. */
export async function userIdForToken(db: Executor, token: string): Promise<number | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await findLiveApiToken(db, hashToken(token));
  if (!row) return undefined;
  await touchApiToken(db, row.id);
  return row.user_id;
}

// ---- Administration (the web pages): every function checks that the actor is an administrator. ----
import { listApiTokensOfUser, revokeApiToken } from '../../db/repositories/api-tokens.ts';
import { findUserById } from '../../db/repositories/users.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';

/** A token as the administration lists it: never the token or its hash. */
export interface ApiTokenView {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const tokenNameSchema = z.object({
  name: z.string().trim().max(100, 'Højst 100 tegn').optional(),
});

async function activeUserOrNotFound(db: Executor, userId: number) {
  const user = await findUserById(db, userId);
  if (!user) throw new AppError('NOT_FOUND', 'Personen findes ikke');
  return user;
}

/** A person's API tokens, newest first (administrators only). */
export async function listApiTokensForAdmin(db: Executor, actor: Actor, userId: number): Promise<ApiTokenView[]> {
  assertAdmin(actor);
  await activeUserOrNotFound(db, userId);
  const rows = await listApiTokensOfUser(db, userId);
  return rows.map((t) => ({ id: t.id, name: t.name, createdAt: t.created_at, lastUsedAt: t.last_used_at, revokedAt: t.revoked_at }));
}

/** Creates a token for a person; the plain token is returned this once and never again. */
export async function createApiTokenAsAdmin(db: Executor, actor: Actor, userId: number, input: Record<string, unknown>): Promise<{ token: string }> {
  assertAdmin(actor);
  const { name } = parseInput(tokenNameSchema, input);
  const user = await activeUserOrNotFound(db, userId);
  return createApiToken(db, { email: user.email, name });
}

/** Revokes one of a person's live tokens, or NOT_FOUND. */
export async function revokeApiTokenAsAdmin(db: Executor, actor: Actor, userId: number, tokenId: number): Promise<void> {
  assertAdmin(actor);
  if ((await revokeApiToken(db, userId, tokenId)) === 0) throw new AppError('NOT_FOUND', 'Nøglen findes ikke eller er allerede tilbagekaldt');
}
