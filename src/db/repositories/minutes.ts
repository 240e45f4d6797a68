import type { Executor, Tx } from '../database.ts';
import type { AgendaItemOutcome } from '../types.ts';

/**
 * The meeting's minutes (referat): the outcome recorded on each agenda item, and the archived
 * minutes PDF (archived_documents of kind 'minutes', one per meeting, append-only and chained
 * like the letters). Recording runs with the meeting row locked (lockCouncilMeeting).
 */

/**
 * Records what the meeting decided on one of its items, unless an outcome is recorded already:
 * an outcome is written once. True when this call recorded it.
 */
export async function recordAgendaItemOutcome(
  tx: Tx,
  meetingId: number,
  itemId: number,
  values: { outcome: AgendaItemOutcome; comment: string | null; at: Date; by: number },
): Promise<boolean> {
  const result = await tx
    .updateTable('meeting_agenda_items')
    .set({ outcome: values.outcome, outcome_comment: values.comment, recorded_at: values.at, recorded_by: values.by })
    .where('id', '=', itemId)
    .where('meeting_id', '=', meetingId)
    .where('outcome', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The meeting's archived minutes without their bytes, or undefined before they are approved and archived. */
export function findMinutesDocument(db: Executor, meetingId: number) {
  return db
    .selectFrom('archived_documents')
    .leftJoin('users', 'users.id', 'archived_documents.submitted_by')
    .select([
      'archived_documents.id',
      'archived_documents.sha256',
      'archived_documents.size_bytes as sizeBytes',
      'archived_documents.created_at as createdAt',
      'users.name as archivedByName',
    ])
    .where('archived_documents.kind', '=', 'minutes')
    .where('archived_documents.meeting_id', '=', meetingId)
    .executeTakeFirst();
}

/**
 * Appends the meeting's minutes to the archive (the database links it into the chain). A second
 * minutes document for the same meeting fails with unique_violation (23505).
 */
export function insertMinutesDocument(
  tx: Tx,
  values: { meetingId: number; pdf: Buffer; sha256: string; templateVersion: string; archivedBy: number },
) {
  return tx
    .insertInto('archived_documents')
    .values({
      kind: 'minutes',
      meeting_id: values.meetingId,
      consultation_id: null,
      response_version_id: null,
      pdf: values.pdf,
      sha256: values.sha256,
      size_bytes: values.pdf.length,
      template_version: values.templateVersion,
      submitted_by: values.archivedBy,
    })
    .returning(['id', 'chain_position as chainPosition'])
    .executeTakeFirstOrThrow();
}

/** Who recorded each of a meeting's outcomes, by item id (for the minutes page and PDF). */
export async function listOutcomeRecorders(db: Executor, meetingId: number): Promise<Map<number, { at: Date; name: string | null }>> {
  const rows = await db
    .selectFrom('meeting_agenda_items as item')
    .leftJoin('users', 'users.id', 'item.recorded_by')
    .select(['item.id', 'item.recorded_at', 'users.name'])
    .where('item.meeting_id', '=', meetingId)
    .where('item.recorded_at', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.id, { at: r.recorded_at!, name: r.name }]));
}
