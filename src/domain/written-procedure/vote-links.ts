import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/database.ts';
import { findOpenVoteToken, upsertVoteToken, type VoteLinkTarget } from '../../db/repositories/written-procedure.ts';
import { loadActor, type Actor } from '../access/actor.ts';
import { sha256Hex } from '../auth/digest.ts';
import { getConsultation, type ConsultationDeps, type ConsultationDetails } from '../consultations/service.ts';
import { AppError } from '../errors.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { publicBaseUrl } from '../public-url.ts';
import { castVote } from './service.ts';

/*
 * A vote link (/vote/<token>) lets one voter cast their vote in one written procedure from the
 * mail, without signing in. Why that is safe: the token is 32 random bytes, only its SHA-256 is
 * stored, it expires when the procedure closes, and the only thing it does is what the voter
 * could do signed in on the consultation page: cast (or change) their own vote in that procedure,
 * through the same castVote and its access checks, with the voter loaded afresh (a disabled user's
 * link does nothing). It starts no session and reads nothing beyond the draft the mail already
 * carries, so a forwarded mail gives away one vote on one draft, no account.
 */

/** The words for a vote link that is unknown, replaced or expired: which of them is not told. */
export const VOTE_LINK_INVALID_MESSAGE =
  'Stemmelinket virker ikke længere. Afstemningen kan være slut, eller linket er afløst af et nyere i en senere mail. Log ind i Rådssvar for at se høringen.';

/** A new vote link's secret: `wp_` and 32 random bytes, base64url. */
function newVoteToken(): string {
  return `wp_${randomBytes(32).toString('base64url')}`;
}

/**
 * Makes the voter's vote link for a procedure (in the caller's transaction, with the mail that
 * carries it) and returns its secret; only the hash is stored, and it replaces the voter's earlier
 * link for the same procedure. Good until `closesAt`.
 */
export async function issueVoteToken(tx: Executor, target: VoteLinkTarget, closesAt: Date): Promise<string> {
  const token = newVoteToken();
  await upsertVoteToken(tx, { ...target, tokenHash: sha256Hex(token), expiresAt: closesAt });
  return token;
}

/** The address of a vote link. */
export function voteUrl(config: Pick<Config, 'publicUrl' | 'port'>, token: string): string {
  return `${publicBaseUrl(config)}/vote/${token}`;
}

function invalidLink(): AppError {
  return new AppError('NOT_FOUND', VOTE_LINK_INVALID_MESSAGE);
}

/** The voter of an open link (loaded as on every request: a disabled user's link is no link). */
async function openLink(deps: ConsultationDeps, token: string): Promise<{ actor: Actor; target: VoteLinkTarget }> {
  const target = token.length > 200 ? undefined : await findOpenVoteToken(deps.db, sha256Hex(token), deps.clock());
  const actor = target && (await loadActor(deps.db, target.userId));
  if (!target || !actor) throw invalidLink();
  return { actor, target };
}

/**
 * The consultation as the link's voter sees it, while the link's procedure is the consultation's
 * newest: a link of an earlier procedure is no link. NOT_FOUND (VOTE_LINK_INVALID_MESSAGE) else.
 */
async function consultationOfLink(deps: ConsultationDeps, actor: Actor, target: VoteLinkTarget): Promise<ConsultationDetails> {
  let consultation: ConsultationDetails;
  try {
    consultation = await getConsultation(deps, actor, target.consultationId);
  } catch (error) {
    // The voter left the council, or the consultation is gone: the link says no more than that.
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw invalidLink();
    throw error;
  }
  if (consultation.writtenProcedure?.number !== target.procedureNumber) throw invalidLink();
  return consultation;
}

/** What the vote page shows: the consultation (with its written procedure) as the voter sees it, and the voter's name. */
export interface VoteLinkView {
  consultation: ConsultationDetails;
  voterName: string;
}

/** Opens a vote link: NOT_FOUND (VOTE_LINK_INVALID_MESSAGE) for a link that is unknown, replaced, expired or of an earlier procedure. */
export async function openVoteLink(deps: ConsultationDeps, token: string): Promise<VoteLinkView> {
  const { actor, target } = await openLink(deps, token);
  return { consultation: await consultationOfLink(deps, actor, target), voterName: actor.name };
}

/**
 * Casts the link's voter's vote (`{vote, comment?}`) in the link's procedure, exactly as
 * castVote does for a signed-in voter: VALIDATION_FAILED, NOT_A_VOTER or WRITTEN_PROCEDURE_CLOSED
 * as there; NOT_FOUND (VOTE_LINK_INVALID_MESSAGE) for a link that does not work.
 */
export async function voteWithLink(deps: ConsultationDeps & { jobs: Jobs }, token: string, input: unknown): Promise<VoteLinkView> {
  const { actor, target } = await openLink(deps, token);
  await consultationOfLink(deps, actor, target);
  return { consultation: await castVote(deps, actor, target.consultationId, input), voterName: actor.name };
}
