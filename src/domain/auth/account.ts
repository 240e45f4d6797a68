import { z } from 'zod';
import type { Db, Executor } from '../../db/database.ts';
import { useAllResetTokensOf } from '../../db/repositories/password-resets.ts';
import { findUserByEmail, findUserById, setPasswordHash } from '../../db/repositories/users.ts';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../time.ts';
import { emailSchema, parseInput } from '../validation.ts';
import { hashPassword, newPasswordSchema, verifyPassword } from './passwords.ts';
import { endSessionsOfUser } from './sessions.ts';
import type { LoginThrottle } from './throttle.ts';

/** The fields of a new password typed twice (a change, a reset). */
export const newPasswordFields = { newPassword: newPasswordSchema, confirmPassword: z.string().max(200, 'Højst 200 tegn') };

/** The check that the new password was typed the same twice, on the field `confirmPassword`. */
export const sameNewPasswordTwice: [(values: { newPassword: string; confirmPassword: string }) => boolean, { path: string[]; message: string }] = [
  (values) => values.confirmPassword === values.newPassword,
  { path: ['confirmPassword'], message: 'De to nye adgangskoder er ikke ens' },
];

/** The "Skift adgangskode" form on /profile. */
export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, 'Skriv din nuværende adgangskode').max(200, 'Højst 200 tegn'), ...newPasswordFields })
  .refine(...sameNewPasswordTwice);

/**
 * Sets a user's password (already hashed) in one transaction with its consequences: every open
 * reset link of the user stops working, and every session of the user ends except `keepSid`.
 */
export async function replacePassword(db: Db, userId: number, passwordHash: string, now: Date, keepSid?: string): Promise<void> {
  await db.transaction().execute((tx) => replacePasswordIn(tx, userId, passwordHash, now, keepSid));
}

/** {@link replacePassword} inside a transaction the caller holds. */
export async function replacePasswordIn(tx: Executor, userId: number, passwordHash: string, now: Date, keepSid?: string): Promise<void> {
  await setPasswordHash(tx, userId, passwordHash);
  await useAllResetTokensOf(tx, userId, now);
  await endSessionsOfUser(tx, userId, keepSid);
}

/**
 * The signed-in user changes their own password: the current one must be right (checked under the
 * login throttle, so a borrowed session cannot be used to guess it), the new one follow the rules.
 * The user's other sessions end; `session.sid`, the one this is done from, stays logged in.
 * Throws VALIDATION_FAILED (with the field) or TOO_MANY_REQUESTS.
 */
export async function changePassword(
  deps: { db: Db; throttle: LoginThrottle; clock: Clock },
  actor: Actor,
  input: unknown,
  session: { sid: string; address: string },
): Promise<void> {
  const values = parseInput(changePasswordSchema, input);
  const user = await findUserById(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Du er ikke logget ind');
  await deps.throttle.consumeAttempt(user.email, session.address);
  if (!(await verifyPassword(values.currentPassword, user.password_hash))) {
    throw new AppError('VALIDATION_FAILED', 'Adgangskoden blev ikke skiftet', {
      details: [{ path: 'currentPassword', message: 'Den nuværende adgangskode er forkert' }],
    });
  }
  await deps.throttle.recordSuccess(user.email, session.address);
  await replacePassword(deps.db, user.id, await hashPassword(values.newPassword), deps.clock(), session.sid);
}

/** The admin CLI's `user password`: an e-mail and the new password (read from stdin, never argv). */
export const setPasswordSchema = z.object({ email: emailSchema, password: newPasswordSchema });

/**
 * Sets a user's password from the admin CLI and ends all their sessions. Throws
 * VALIDATION_FAILED or NOT_FOUND.
 */
export async function setPasswordByEmail(deps: { db: Db; clock: Clock }, input: z.input<typeof setPasswordSchema>) {
  const values = parseInput(setPasswordSchema, input);
  const user = await findUserByEmail(deps.db, values.email);
  if (!user) {
    throw new AppError('NOT_FOUND', `Ingen bruger med e-mailen ${values.email}`, { details: [{ path: 'email', message: 'Ukendt bruger' }] });
  }
  await replacePassword(deps.db, user.id, await hashPassword(values.password), deps.clock());
  return { email: user.email, passwordChanged: true };
}
