import type { Executor } from '../../db/database.ts';
import type { WrittenProcedure } from '../../../workflows/consultation.machine.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import { procedureReminderAt } from './times.ts';

/** The job that closes (or mails about) one written procedure: the consultation and the procedure's number. */
export interface WrittenProcedureJob {
  consultationId: string;
  procedureNumber: number;
}

/**
 * Queues what a written procedure needs once it has started, in the starting transaction (so the
 * jobs exist exactly when the procedure does): the voters' start mails now, the reminder one
 * working day before closing (none when that moment has passed already: the start mail is the
 * reminder then), and its closing at `closesAt`.
 */
export async function queueWrittenProcedureJobs(
  jobs: Jobs,
  tx: Executor,
  consultationId: string,
  procedure: WrittenProcedure,
  now: Date,
): Promise<void> {
  const job: WrittenProcedureJob = { consultationId, procedureNumber: procedure.number };
  await jobs.enqueue(QUEUES.writtenProcedureStarted, job, { tx });
  const remindAt = procedureReminderAt(new Date(procedure.closesAt));
  if (remindAt.getTime() > now.getTime()) await jobs.enqueue(QUEUES.writtenProcedureReminder, job, { tx, startAfter: remindAt });
  await jobs.enqueue(QUEUES.writtenProcedureClose, job, { tx, startAfter: new Date(procedure.closesAt) });
}
