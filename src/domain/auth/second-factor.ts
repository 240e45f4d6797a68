import { randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import {
  clearSecondFactor,
  confirmSecret,
  countUnusedRecoveryCodes,
  findSecondFactor,
  replaceRecoveryCodes,
  storePendingSecret,
  takeTimeStep,
  useRecoveryCode,
} from '../../db/repositories/second-factor.ts';
import { findUserByEmail } from '../../db/repositories/users.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock } from '../time.ts';
import { openSecret, sealSecret } from '../tokens/secret-box.ts';
import { parseInput } from '../validation.ts';
import { sha256Hex } from './digest.ts';
import type { LoginThrottle } from './throttle.ts';

/*
 * The second factor of administrators who sign in with a password (OWASP ASVS 2.x, level 2 for
 * privileged accounts): TOTP (RFC 6238, otplib) with a secret sealed in the user's row, a code
 * accepted one step either side of now and never twice, and ten one-time recovery codes stored
 * as SHA-256 hashes. Who must use it and what a session may do before it is one rule here
 * (secondFactorGate); the routes only ask.
 */

/** The secret-box purpose of TOTP secrets. */
export const TOTP_SECRET_PURPOSE = 'totp-secret';
const ISSUER = 'Rådssvar';
const RECOVERY_CODE_COUNT = 10;
/** Clock drift allowed: one 30-second step before or after now. */
const TOLERANCE_SECONDS = 30;
// Recovery codes: Crockford-like letters and digits, without the look-alikes 0/O, 1/I/L.
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface SecondFactorDeps {
  db: Db;
  clock: Clock;
  config: { sessionSecret: string };
  throttle: LoginThrottle;
}

/**
 * What a signed-in session may do, by the second factor: `open` (anything its roles allow);
 * `enrol` (an administrator without a factor: only set one up, or log out); `sign-in-again` (an
 * administrator with a factor whose session never passed it: no login at all). A login with the
 * municipality's login is not a password login: the provider answers for its factors.
 */
export function secondFactorGate(actor: Actor, session: { passedSecondFactor?: boolean; signedInWith?: 'sso' }): 'open' | 'enrol' | 'sign-in-again' {
  if (!actor.isAdmin || session.signedInWith === 'sso') return 'open';
  const sessionPassedSecondFactor = session.passedSecondFactor === true;
  if (!actor.secondFactor) return 'enrol';
  return sessionPassedSecondFactor ? 'open' : 'sign-in-again';
}

/** Whether a password login of this user must be followed by a code: an administrator with a confirmed factor. */
export async function needsSecondStep(deps: { db: Db }, userId: number): Promise<boolean> {
  const row = await findSecondFactor(deps.db, userId);
  return !!row && row.is_admin && row.totp_confirmed_at !== null;
}

/** The secret being set up, as text in groups of four and as the otpauth URI a QR code holds. */
export interface Enrolment {
  secret: string;
  groupedSecret: string;
  uri: string;
}

/**
 * Begins (or shows again) the set-up of a second factor: a new secret, stored sealed and not yet
 * confirmed; a reload shows the same one, so a scanned code keeps working.
 */
export async function beginEnrolment(deps: SecondFactorDeps, actor: Actor): Promise<Enrolment> {
  const row = await findSecondFactor(deps.db, actor.userId);
  if (!row) throw notFound();
  if (row.totp_confirmed_at) throw new AppError('CONFLICT', 'Totrinsbekræftelsen er allerede sat op');
  let secret = row.totp_secret_sealed ? openSecret(deps.config.sessionSecret, TOTP_SECRET_PURPOSE, row.totp_secret_sealed) : undefined;
  if (!secret) {
    secret = generateSecret();
    await storePendingSecret(deps.db, actor.userId, sealSecret(deps.config.sessionSecret, TOTP_SECRET_PURPOSE, secret));
  }
  return { secret, groupedSecret: secret.replace(/(.{4})/g, '$1 ').trim(), uri: generateURI({ issuer: ISSUER, label: row.email, secret }) };
}

const codeForm = z.object({ code: z.string().max(100).optional().default('') });

/** A code as typed: spaces and dashes dropped, letters upper-cased. */
const normalised = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

function wrongCode(): AppError {
  return new AppError('VALIDATION_FAILED', 'Koden er forkert', {
    details: [{ path: 'code', message: 'Koden er forkert, for gammel eller allerede brugt. Skriv den kode, appen viser nu.' }],
  });
}

/** Checks a TOTP code against a secret and takes its time step; true when it was right and not used before. */
async function acceptTotp(db: Db, userId: number, secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_SECONDS });
  // TOTP's result names the time step the code belongs to; HOTP's (never asked for here) would not.
  if (!result.valid || !('timeStep' in result) || typeof result.timeStep !== 'number') return false;
  return takeTimeStep(db, userId, result.timeStep);
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

async function storeNewRecoveryCodes(db: Db, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  await replaceRecoveryCodes(
    db,
    userId,
    codes.map((code) => sha256Hex(normalised(code))),
  );
  return codes;
}

/** Confirms the set-up with a first code from the app; returns the recovery codes, shown this once. */
export async function confirmEnrolment(deps: SecondFactorDeps, actor: Actor, input: unknown): Promise<string[]> {
  const { code } = parseInput(codeForm, input);
  const row = await findSecondFactor(deps.db, actor.userId);
  if (!row) throw notFound();
  if (row.totp_confirmed_at) throw new AppError('CONFLICT', 'Totrinsbekræftelsen er allerede sat op');
  const secret = row.totp_secret_sealed ? openSecret(deps.config.sessionSecret, TOTP_SECRET_PURPOSE, row.totp_secret_sealed) : undefined;
  if (!secret) throw new AppError('CONFLICT', 'Start opsætningen forfra');
  if (!(await acceptTotp(deps.db, actor.userId, secret, normalised(code)))) throw wrongCode();
  await confirmSecret(deps.db, actor.userId, deps.clock());
  return storeNewRecoveryCodes(deps.db, actor.userId);
}

/**
 * The second step of a password login: a current code from the app or an unused recovery code,
 * throttled like the password. Returns how many recovery codes are left when one was used.
 */
export async function verifySecondStep(
  deps: SecondFactorDeps,
  userId: number,
  input: { code: unknown; address: string },
): Promise<{ recoveryCodesLeft?: number }> {
  const { code } = parseInput(codeForm, { code: input.code });
  const key = `second-factor:${userId}`;
  await deps.throttle.consumeAttempt(key, input.address);
  const row = await findSecondFactor(deps.db, userId);
  if (!row || row.disabled_at || !row.totp_confirmed_at || !row.totp_secret_sealed) throw new AppError('UNAUTHENTICATED', 'Log ind igen');
  const secret = openSecret(deps.config.sessionSecret, TOTP_SECRET_PURPOSE, row.totp_secret_sealed);
  const typed = normalised(code);
  if (secret && (await acceptTotp(deps.db, userId, secret, typed))) {
    await deps.throttle.recordSuccess(key, input.address);
    return {};
  }
  if (typed.length === 10 && (await useRecoveryCode(deps.db, userId, sha256Hex(typed), deps.clock()))) {
    await deps.throttle.recordSuccess(key, input.address);
    return { recoveryCodesLeft: await countUnusedRecoveryCodes(deps.db, userId) };
  }
  throw wrongCode();
}

/** New recovery codes (the old ones stop working), after a current code from the app. */
export async function regenerateRecoveryCodes(deps: SecondFactorDeps, actor: Actor, input: unknown, address: string): Promise<string[]> {
  const { code } = parseInput(codeForm, input);
  const key = `second-factor:${actor.userId}`;
  await deps.throttle.consumeAttempt(key, address);
  const row = await findSecondFactor(deps.db, actor.userId);
  const secret =
    row?.totp_secret_sealed && row.totp_confirmed_at ? openSecret(deps.config.sessionSecret, TOTP_SECRET_PURPOSE, row.totp_secret_sealed) : undefined;
  if (!secret || !(await acceptTotp(deps.db, actor.userId, secret, normalised(code)))) throw wrongCode();
  await deps.throttle.recordSuccess(key, address);
  return storeNewRecoveryCodes(deps.db, actor.userId);
}

/** The second factor as the profile shows it. */
export async function secondFactorStatus(deps: { db: Db }, actor: Actor): Promise<{ confirmedAt: Date | null; recoveryCodesLeft: number }> {
  const row = await findSecondFactor(deps.db, actor.userId);
  return { confirmedAt: row?.totp_confirmed_at ?? null, recoveryCodesLeft: await countUnusedRecoveryCodes(deps.db, actor.userId) };
}

/** A person's second factor as the admin's user page shows it. */
export async function secondFactorForAdmin(deps: { db: Db }, actor: Actor, userId: number): Promise<{ confirmedAt: Date | null }> {
  assertAdmin(actor);
  const row = await findSecondFactor(deps.db, userId);
  if (!row) throw notFound('Personen findes ikke');
  return { confirmedAt: row.totp_confirmed_at };
}

/** An administrator removes another person's second factor (a lost phone): they set up a new one at their next login. */
export async function resetSecondFactorAsAdmin(deps: { db: Db }, actor: Actor, userId: number): Promise<void> {
  assertAdmin(actor);
  if (!(await findSecondFactor(deps.db, userId))) throw notFound('Personen findes ikke');
  await clearSecondFactor(deps.db, userId);
}

/** The CLI's reset, for a sole administrator locked out: by e-mail, no actor. False for an unknown e-mail. */
export async function resetSecondFactorByEmail(deps: { db: Db }, email: string): Promise<boolean> {
  const user = await findUserByEmail(deps.db, email.trim().toLowerCase());
  if (!user) return false;
  await clearSecondFactor(deps.db, user.id);
  return true;
}
