import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** A user's second-factor columns, or undefined for an unknown user. */
export function findSecondFactor(db: Executor, userId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'is_admin', 'disabled_at', 'totp_secret_sealed', 'totp_confirmed_at', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** Stores a new, unconfirmed secret (enrolment begun); a confirmed one is never replaced here. */
export async function storePendingSecret(db: Executor, userId: number, sealed: string): Promise<void> {
  await db.updateTable('users').set({ totp_secret_sealed: sealed }).where('id', '=', userId).where('totp_confirmed_at', 'is', null).execute();
}

/**
 * Takes a TOTP time step for the user: only a step after the last one used, in one statement, so
 * two requests with the same code cannot both pass. True when this request took it.
 */
export async function takeTimeStep(db: Executor, userId: number, step: number): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', sql<string>`${step}`)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks the secret confirmed (the second factor is from now on required). */
export async function confirmSecret(db: Executor, userId: number, at: Date): Promise<void> {
  await db.updateTable('users').set({ totp_confirmed_at: at }).where('id', '=', userId).execute();
}

/** Replaces the user's recovery codes with these hashes. */
export async function replaceRecoveryCodes(db: Executor, userId: number, hashes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash })))
    .execute();
}

/** Uses one recovery code: true when it was the user's and unused (it is used up now). */
export async function useRecoveryCode(db: Executor, userId: number, hash: string, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** How many unused recovery codes the user has. */
export async function countUnusedRecoveryCodes(db: Executor, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes the user's second factor and recovery codes (an admin's reset, the CLI). */
export async function clearSecondFactor(db: Executor, userId: number): Promise<void> {
  await db.updateTable('users').set({ totp_secret_sealed: null, totp_confirmed_at: null, totp_last_step: null }).where('id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}
