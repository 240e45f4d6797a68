import type { Db, Executor } from '../../db/database.ts';
import { lockPendingDocument, pendingDocumentIds, saveDocumentText } from '../../db/repositories/document-text.ts';
import type { Logger } from '../../logger.ts';
import { QUEUES, type Jobs } from '../jobs/jobs.ts';
import type { Clock } from '../time.ts';
import { extractDocumentText } from './text-extraction.ts';

/** The job that reads one stored document's text. */
export interface DocumentTextJob {
  documentId: number;
}

/** How many waiting documents one sweep reads (the rest wait for the next). */
const SWEEP_BATCH = 50;

/**
 * Queues the reading of each document's text in the transaction that stores them, so a job
 * exists exactly when the document does.
 */
export async function queueTextExtraction(jobs: Jobs, tx: Executor, documentIds: number[]): Promise<void> {
  for (const documentId of documentIds) await jobs.enqueue(QUEUES.documentText, { documentId } satisfies DocumentTextJob, { tx });
}

/**
 * Reads one document's text and stores it with its status, in one transaction that holds the
 * document's row: a second run, or another process, finds it done or locked and does nothing.
 * Returns the status, or undefined when there was nothing to do.
 */
export async function extractStoredDocument(deps: { db: Db; clock: Clock }, documentId: number): Promise<string | undefined> {
  return deps.db.transaction().execute(async (tx) => {
    const doc = await lockPendingDocument(tx, documentId);
    if (!doc) return undefined;
    const result = await extractDocumentText(doc.media_type, doc.bytes);
    await saveDocumentText(
      tx,
      doc.id,
      { status: result.status, text: result.text ?? null, pageCount: result.pageCount ?? null, error: result.error ?? null },
      deps.clock(),
    );
    return result.status;
  });
}

/**
 * Reads the text of documents still waiting (stored before text extraction existed, or whose job
 * was lost with a database restored from a backup): the oldest first, a batch per run.
 */
export async function sweepPendingDocuments(deps: { db: Db; clock: Clock; logger: Logger }): Promise<number> {
  let done = 0;
  for (const id of await pendingDocumentIds(deps.db, SWEEP_BATCH)) {
    if ((await extractStoredDocument(deps, id)) !== undefined) done += 1;
  }
  if (done > 0) deps.logger.info({ documents: done }, 'document texts extracted by the sweep');
  return done;
}
