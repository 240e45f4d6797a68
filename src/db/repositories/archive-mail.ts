import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** The newest archived PDF of a consultation, or undefined. */
export function latestArchivedDocument(db: Executor, consultationId: string) {
  return db
    .selectFrom('archived_documents')
    .select(['id', 'pdf', 'sha256'])
    .where('consultation_id', '=', consultationId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** True when the timeline already records this archived document as delivered by mail. */
export async function archiveMailDelivered(db: Executor, consultationId: string, archiveId: number): Promise<boolean> {
  const row = await db
    .selectFrom('consultation_events')
    .select('id')
    .where('consultation_id', '=', consultationId)
    .where('type', '=', 'MAIL_DELIVERED')
    .where(sql<boolean>`payload->>'archiveId' = ${String(archiveId)}`)
    .executeTakeFirst();
  return row !== undefined;
}
