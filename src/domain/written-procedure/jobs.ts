import type { Executor } from '../../db/database.ts';
import type { WrittenProcedure } from '../../../workflows/consultation.machine.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';

/** The job that closes (or mails about) one written procedure: the consultation and the procedure's number. */
export interface WrittenProcedureJob {
  consultationId: string;
  procedureNumber: number;
}

/**
 * Queues what a written procedure needs once it has started, in the starting transaction (so the
 * jobs exist exactly when the procedure does): its closing at `closesAt`.
 */
export async function queueWrittenProcedureJobs(
  jobs: Jobs,
  tx: Executor,
  consultationId: string,
  procedure: WrittenProcedure,
  _now: Date,
): Promise<void> {
  const job: WrittenProcedureJob = { consultationId, procedureNumber: procedure.number };
  await jobs.enqueue(QUEUES.writtenProcedureClose, job, { tx, startAfter: new Date(procedure.closesAt) });
}
