import type { Db } from '../../db/database.ts';
import { lockConsultationWithDetails, type ConsultationDetailsRow } from '../../db/repositories/consultations.ts';
import {
  everyoneHasVoted,
  isWrittenProcedureApproved,
  restoreSnapshot,
  writtenProcedureTally,
  type ConsultationSnapshot,
  type PersistedConsultation,
  type WrittenProcedure,
} from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { applyServiceEvent, detailsFor, type ConsultationDetails } from '../consultations/service.ts';
import { mayActorSee } from '../consultations/policy.ts';
import { voteSchema } from '../consultations/schemas.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock } from '../time.ts';
import { isUuid, parseInput } from '../validation.ts';
import type { WrittenProcedureJob } from './jobs.ts';

/**
 * Written procedures (skriftlig procedure): the votes and the closing. Starting and cancelling
 * are events a person sends (START_WRITTEN_PROCEDURE, CANCEL_WRITTEN_PROCEDURE through
 * sendEvent); a vote and the closing are transitions this service sends, each on the
 * consultation row locked, so votes and the closing are serialised by the row lock: a vote either
 * lands before the closing and is counted, or after it and is refused with
 * WRITTEN_PROCEDURE_CLOSED. None is lost.
 */

export interface WrittenProcedureDeps {
  db: Db;
  clock: Clock;
}

function procedureClosed(): AppError {
  return new AppError('WRITTEN_PROCEDURE_CLOSED', 'Den skriftlige procedure er afsluttet, og stemmen blev ikke talt med');
}

/**
 * Why a vote finds no procedure to count it: WRITTEN_PROCEDURE_CLOSED when the consultation had one
 * (it closed or was cancelled), TRANSITION_NOT_ALLOWED when it never had one.
 */
function noRunningProcedure(row: ConsultationDetailsRow, hadOne: boolean): AppError {
  if (hadOne) return procedureClosed();
  return new AppError('TRANSITION_NOT_ALLOWED', 'Høringen er ikke sendt til skriftlig procedure, så der er intet at stemme om', {
    meta: { state: row.state },
  });
}

/** The running procedure of a locked row, or undefined when none runs; `procedure` is the newest one, running or not. */
function runningProcedure(
  row: ConsultationDetailsRow,
  newest = newestProcedure(row),
): { snapshot: ConsultationSnapshot; procedure: WrittenProcedure } | undefined {
  const { snapshot, procedure } = newest;
  return row.state === 'written_procedure' && procedure && procedure.outcome === null ? { snapshot, procedure } : undefined;
}

function newestProcedure(row: ConsultationDetailsRow): { snapshot: ConsultationSnapshot; procedure: WrittenProcedure | null } {
  const snapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version);
  return { snapshot, procedure: snapshot.context.writtenProcedure };
}

/** The payload of a closing's event row: why it closed, the count and the outcome (the record the archive keeps). */
function closingPayload(procedure: WrittenProcedure, reason: 'everyone_voted' | 'closes_at') {
  return {
    procedureNumber: procedure.number,
    reason,
    tally: writtenProcedureTally(procedure),
    quorumPercent: procedure.quorumPercent,
    outcome: isWrittenProcedureApproved(procedure) ? 'approved' : 'not_approved',
  };
}

/**
 * Casts (or changes) the actor's vote in the consultation's running written procedure: one
 * CAST_VOTE transition with its timeline row. When it is the last voter's first vote, the
 * procedure closes in the same transaction. NOT_FOUND when the actor may not see the
 * consultation, NOT_A_VOTER when they are not one of its voters, WRITTEN_PROCEDURE_CLOSED when
 * no procedure runs (it closed, was cancelled, or its time has come).
 */
export async function castVote(deps: WrittenProcedureDeps, actor: Actor, consultationId: string, input: unknown): Promise<ConsultationDetails> {
  const { details, snapshot } = await deps.db.transaction().execute(async (tx) => {
    const row = isUuid(consultationId) ? await lockConsultationWithDetails(tx, consultationId) : undefined;
    if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
    const newest = newestProcedure(row);
    const running = runningProcedure(row, newest);
    if (!running) throw noRunningProcedure(row, newest.procedure !== null);
    if (!running.procedure.voters.includes(actor.userId)) {
      throw new AppError('NOT_A_VOTER', 'Kun rådets formand og medlemmer, der blev bedt om at stemme, kan stemme');
    }
    const values = parseInput(voteSchema, input);
    const now = deps.clock();
    // Its time has come: the closing job will count the votes cast before it, not this one.
    if (now.getTime() >= Date.parse(running.procedure.closesAt)) throw procedureClosed();
    const changed = Object.hasOwn(running.procedure.votes, String(actor.userId));
    const voted = await applyServiceEvent(
      tx,
      actor,
      row,
      { type: 'CAST_VOTE', voter: actor.userId, vote: values.vote, comment: values.comment, at: now.toISOString() },
      { procedureNumber: running.procedure.number, vote: values.vote, comment: values.comment, changed },
    );
    const procedure = voted.snapshot.context.writtenProcedure!;
    if (!everyoneHasVoted(procedure)) return voted;
    return applyServiceEvent(
      tx,
      null,
      voted.details,
      { type: 'CLOSE_WRITTEN_PROCEDURE', at: now.toISOString() },
      closingPayload(procedure, 'everyone_voted'),
    );
  });
  return detailsFor(actor, details, deps.clock(), snapshot);
}

/** What the closing job did: closed the procedure, or found nothing to close (already closed, cancelled, another procedure). */
export type CloseResult = { closed: true; outcome: 'approved' | 'not_approved' } | { closed: false };

/**
 * Closes a written procedure at its closing time (the job queued when it started). Exactly once
 * whichever process runs it and however often: the row is locked, and only the procedure named
 * by the job, still running, is closed. Before its time it throws, so the job is tried again.
 */
export async function closeWrittenProcedure(deps: WrittenProcedureDeps, job: WrittenProcedureJob): Promise<CloseResult> {
  return deps.db.transaction().execute(async (tx) => {
    const row = isUuid(job.consultationId) ? await lockConsultationWithDetails(tx, job.consultationId) : undefined;
    const running = row ? runningProcedure(row) : undefined;
    if (!row || !running || running.procedure.number !== job.procedureNumber) return { closed: false };
    const now = deps.clock();
    if (now.getTime() < Date.parse(running.procedure.closesAt) && !everyoneHasVoted(running.procedure)) {
      throw new Error(`Written procedure ${job.procedureNumber} of ${job.consultationId} closes at ${running.procedure.closesAt}, not yet`);
    }
    const closed = await applyServiceEvent(
      tx,
      null,
      row,
      { type: 'CLOSE_WRITTEN_PROCEDURE', at: now.toISOString() },
      closingPayload(running.procedure, 'closes_at'),
    );
    return { closed: true, outcome: closed.snapshot.context.writtenProcedure!.outcome as 'approved' | 'not_approved' };
  });
}
