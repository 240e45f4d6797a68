import type { WrittenProcedureMailKind } from '../types.ts';
import type { Executor } from '../database.ts';

/** Which voter of which procedure a vote link is for. */
export interface VoteLinkTarget {
  consultationId: string;
  procedureNumber: number;
  userId: number;
}

/**
 * Keeps a voter's vote link (by its hash), good until `expiresAt`: the voter's one link for that
 * procedure, so a newer one (the reminder's) replaces the older one.
 */
export async function upsertVoteToken(db: Executor, token: VoteLinkTarget & { tokenHash: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('written_procedure_vote_tokens')
    .values({
      token_hash: token.tokenHash,
      consultation_id: token.consultationId,
      procedure_number: token.procedureNumber,
      user_id: token.userId,
      expires_at: token.expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(['consultation_id', 'procedure_number', 'user_id']).doUpdateSet({ token_hash: token.tokenHash, expires_at: token.expiresAt }),
    )
    .execute();
}

/** The voter and procedure of a vote link that has not expired at `now`; undefined for any other. */
export async function findOpenVoteToken(db: Executor, tokenHash: string, now: Date): Promise<VoteLinkTarget | undefined> {
  return db
    .selectFrom('written_procedure_vote_tokens')
    .select(['consultation_id as consultationId', 'procedure_number as procedureNumber', 'user_id as userId'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Claims one written-procedure mail to one voter: true when this call inserted its row, false when
 * it was sent (or is being sent, by a transaction that then commits) already. A concurrent claim
 * waits on the unique key until the first transaction ends.
 */
export async function claimProcedureMail(db: Executor, mail: VoteLinkTarget & { kind: WrittenProcedureMailKind }): Promise<boolean> {
  const row = await db
    .insertInto('written_procedure_mails')
    .values({ consultation_id: mail.consultationId, procedure_number: mail.procedureNumber, user_id: mail.userId, kind: mail.kind })
    .onConflict((oc) => oc.constraint('written_procedure_mails_once').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
