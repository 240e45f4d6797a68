import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { findOpenResetToken, insertResetToken, useResetToken } from '../../db/repositories/password-resets.ts';
import { findUserByEmail, findUserById } from '../../db/repositories/users.ts';
import { AppError } from '../errors.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import { composeMail } from '../mail/templates.ts';
import { publicBaseUrl } from '../public-url.ts';
import { formatDanishDateTime, type Clock } from '../time.ts';
import { emailSchema, parseInput } from '../validation.ts';
import { newPasswordFields, replacePasswordIn, sameNewPasswordTwice } from './account.ts';
import { sha256Hex } from './digest.ts';
import { hashPassword } from './passwords.ts';
import type { LoginThrottle } from './throttle.ts';

/** How long a mailed reset link works. */
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/** What the page says after a request, whether or not the e-mail belongs to anyone. */
export const RESET_REQUESTED_MESSAGE =
  'Hvis e-mailen hører til en bruger af Rådssvar, har vi sendt et link til at vælge en ny adgangskode. Linket virker i 1 time.';

/** The words for a link that is unknown, used or expired: which of them is not told. */
export const RESET_LINK_INVALID_MESSAGE = 'Linket virker ikke længere. Det kan være brugt eller udløbet; bed om et nyt.';

export interface PasswordResetDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'publicUrl' | 'port'>;
  throttle: LoginThrottle;
  /** The request and the mail are queued, so the mail is retried until it is delivered. */
  jobs: Jobs;
}

/** The "Glemt adgangskode?" form. */
export const forgotPasswordSchema = z.object({ email: emailSchema });

/** The form behind the mailed link. */
export const resetPasswordSchema = z.object(newPasswordFields).refine(...sameNewPasswordTwice);

/** A queued request for a reset link (QUEUES.passwordReset). */
export interface PasswordResetJob {
  email: string;
}

/**
 * Someone asks for a reset link for `input.email`. Throttled per e-mail and per address
 * (TOO_MANY_REQUESTS); a malformed e-mail is VALIDATION_FAILED. The request is queued as it is
 * and {@link mailResetLink} runs in a worker: the answer, which is the same either way
 * (RESET_REQUESTED_MESSAGE), then takes as long whether or not the e-mail is a user's, as OWASP's
 * Forgot Password Cheat Sheet asks.
 */
export async function requestPasswordReset(deps: PasswordResetDeps, input: unknown, address: string): Promise<void> {
  const { email } = parseInput(forgotPasswordSchema, input);
  await deps.throttle.consumeResetRequest(email, address);
  const job: PasswordResetJob = { email };
  await deps.jobs.enqueue(QUEUES.passwordReset, job);
}

/**
 * When `email` is an active user's: stores a single-use token good for RESET_TOKEN_TTL_MS (only
 * its SHA-256) and queues its mail with the link; otherwise does nothing.
 */
export async function mailResetLink(deps: Pick<PasswordResetDeps, 'db' | 'clock' | 'config' | 'jobs'>, email: string): Promise<void> {
  const user = await findUserByEmail(deps.db, email);
  if (!user || user.disabled_at) return;
  const token = `pw_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(deps.clock().getTime() + RESET_TOKEN_TTL_MS);
  const mail = composeMail(
    'password-reset',
    { to: user.email, subject: 'Vælg en ny adgangskode til Rådssvar', automatic: true },
    { name: user.name, resetUrl: `${publicBaseUrl(deps.config)}/password/reset/${token}`, expires: formatDanishDateTime(expiresAt) },
  );
  await deps.db.transaction().execute(async (tx) => {
    await insertResetToken(tx, { tokenHash: sha256Hex(token), userId: user.id, expiresAt });
    // In the same transaction: the mail is queued exactly when the token exists.
    await deps.jobs.enqueue(QUEUES.mail, mail, { tx });
  });
}

/** The user a reset link is for, while it is open; NOT_FOUND (RESET_LINK_INVALID_MESSAGE) otherwise. */
export async function openResetLink(deps: Pick<PasswordResetDeps, 'db' | 'clock'>, token: string): Promise<{ name: string; email: string }> {
  const open = await findOpenResetToken(deps.db, sha256Hex(token), deps.clock());
  const user = open && (await findUserById(deps.db, open.userId));
  if (!user) throw new AppError('NOT_FOUND', RESET_LINK_INVALID_MESSAGE);
  return { name: user.name, email: user.email };
}

/**
 * Sets a new password with a mailed token. The token is used up in the same transaction (two
 * requests with it cannot both succeed), with every other open token of the user, and all the
 * user's sessions end. Throws VALIDATION_FAILED for the new password, NOT_FOUND for a link that
 * is unknown, used or expired.
 */
export async function resetPassword(deps: Pick<PasswordResetDeps, 'db' | 'clock'>, token: string, input: unknown): Promise<{ email: string }> {
  const values = parseInput(resetPasswordSchema, input);
  const passwordHash = await hashPassword(values.newPassword);
  const now = deps.clock();
  return deps.db.transaction().execute(async (tx) => {
    const used = await useResetToken(tx, sha256Hex(token), now);
    const user = used && (await findUserById(tx, used.userId));
    if (!user || user.disabled_at) throw new AppError('NOT_FOUND', RESET_LINK_INVALID_MESSAGE);
    await replacePasswordIn(tx, user.id, passwordHash, now);
    return { email: user.email };
  });
}
