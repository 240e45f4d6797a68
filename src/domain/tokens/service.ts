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
  const { email, name } = parseInput(
    z.object({ email: emailSchema, name: z.string().trim().max(100).optional() }),
    input,
  );
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
