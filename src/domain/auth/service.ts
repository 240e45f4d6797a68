import type { Executor } from '../../db/database.ts';
import { findUserByEmail } from '../../db/repositories/users.ts';
import { AppError } from '../errors.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import type { LoginThrottle } from './throttle.ts';

/** The same words for an unknown e-mail and a wrong password, so nobody learns which e-mails exist. */
export const LOGIN_FAILED_MESSAGE = 'E-mail eller adgangskode er forkert.';

/**
 * Checks an e-mail and password, throttled per account and address, per account and per address
 * (see LoginThrottle): the attempt is counted before the password is checked, so concurrent
 * guesses cannot slip past the limit. Returns the user's id, or throws UNAUTHENTICATED /
 * TOO_MANY_REQUESTS.
 */
export async function authenticate(
  deps: { db: Executor; throttle: LoginThrottle },
  credentials: { email: string; password: string; address: string },
): Promise<number> {
  const email = credentials.email.trim().toLowerCase();
  await deps.throttle.consumeAttempt(email, credentials.address);
  const user = await findUserByEmail(deps.db, email);
  // Verify against a decoy hash for unknown users so the answer takes as long either way.
  const ok = await verifyPassword(credentials.password, user?.password_hash ?? (await decoyHash));
  if (!user || !ok || user.disabled_at) throw new AppError('UNAUTHENTICATED', LOGIN_FAILED_MESSAGE);
  await deps.throttle.recordSuccess(email, credentials.address);
  return user.id;
}
