import { sql } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Executor } from '../database.ts';
import { newestResponseVersion } from './consultations.ts';

/** The fields of an archived letter, without the PDF bytes. */
export interface ArchivedDocumentInfo {
  id: number;
  consultationId: string;
  sha256: string;
  sizeBytes: number;
  responseVersionId: number;
  templateVersion: string;
  submittedBy: number | null;
  createdAt: Date;
}

// What describes an archived letter, without its bytes.
const ARCHIVE_INFO_COLUMNS = [
  'id',
  'consultation_id as consultationId',
  'sha256',
  'size_bytes as sizeBytes',
  'response_version_id as responseVersionId',
  'template_version as templateVersion',
  'submitted_by as submittedBy',
  'created_at as createdAt',
] as const;

/** `length` bytes of an archived letter from byte `offset` (0-based): fewer at its end, undefined when there is no such letter. */
export async function readArchivedPdfSlice(db: Executor, archiveId: number, offset: number, length: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('archived_documents')
    .select(sql<Buffer>`substring(pdf from ${offset + 1} for ${length})`.as('slice'))
    .where('id', '=', archiveId)
    .executeTakeFirst();
  return row?.slice;
}

/** The stored hash of a consultation's archived letter, for conditional requests; no bytes. */
export function findArchivedDocumentInfo(db: Executor, consultationId: string): Promise<ArchivedDocumentInfo | undefined> {
  return db
    .selectFrom('archived_documents')
    .select(ARCHIVE_INFO_COLUMNS)
    .where('consultation_id', '=', consultationId)
    .where('kind', '=', 'letter')
    .$narrowType<{ consultationId: string; responseVersionId: number }>()
    .executeTakeFirst();
}

/**
 * Archived letters in chain order after position `afterPosition`, `limit` at a time, with their
 * bytes and what their chain hash covers: the archive check reads the archive in batches so that
 * its memory stays bounded however large it grows. `createdAtUtc` is the archiving time to the
 * microsecond as the chain hashes it (a JavaScript Date keeps only milliseconds).
 */
export function listArchivedDocumentsInChainAfter(db: Executor, afterPosition: number, limit: number) {
  return db
    .selectFrom('archived_documents')
    .select([
      'id',
      'kind',
      'consultation_id as consultationId',
      'meeting_id as meetingId',
      'pdf',
      'sha256',
      'size_bytes as sizeBytes',
      'response_version_id as responseVersionId',
      'template_version as templateVersion',
      'submitted_by as submittedBy',
      'chain_position as chainPosition',
      'previous_chain_sha256 as previousChainSha256',
      'chain_sha256 as chainSha256',
    ])
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('createdAtUtc'))
    .where('chain_position', '>', afterPosition)
    .orderBy('chain_position')
    .limit(limit)
    .execute();
}

/** The archived letter at a place in the chain, without its bytes (for checking a recorded anchor). */
export function findArchivedDocumentAtPosition(db: Executor, position: number) {
  return db
    .selectFrom('archived_documents')
    .select(['id', 'consultation_id as consultationId', 'chain_position as chainPosition', 'chain_sha256 as chainSha256'])
    .where('chain_position', '=', position)
    .executeTakeFirst();
}

/**
 * Everything a letter is made from, in one round trip: the consultation row, the letterhead of its
 * council (null fields when unassigned), its newest response version, and who approved it last
 * (the actor of its newest APPROVE event, with the title they sign with in the consultation's
 * council, null when unset, and their role there). Submitting and previewing need all of it before anything else.
 */
export function findLetterSource(db: Executor, id: string) {
  return db
    .selectFrom('consultations')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .selectAll('consultations')
    .select([
      'councils.name as council_name',
      'councils.letterhead_address',
      'councils.letterhead_contact',
      'councils.letterhead_email',
      'councils.letterhead_logo',
      'councils.letterhead_logo_type',
    ])
    .select((eb) => [
      jsonObjectFrom(newestResponseVersion(eb).select(['response_versions.id', 'response_versions.body'])).as('latest_response'),
      jsonObjectFrom(
        eb
          .selectFrom('consultation_events')
          .innerJoin('users', 'users.id', 'consultation_events.actor_id')
          .leftJoin('memberships', (join) =>
            join.onRef('memberships.user_id', '=', 'users.id').onRef('memberships.council_id', '=', 'consultations.council_id'),
          )
          .select(['users.id', 'users.name', 'memberships.title', 'memberships.role'])
          .whereRef('consultation_events.consultation_id', '=', 'consultations.id')
          .where('consultation_events.type', '=', 'APPROVE')
          .orderBy('consultation_events.id', 'desc')
          .limit(1),
      ).as('last_approver'),
    ])
    .where('consultations.id', '=', id)
    .executeTakeFirst();
}

/** The title a user signs with in a council ("formand", "næstformand"), or null when unset. */
export async function findMembershipTitle(db: Executor, userId: number, councilId: number): Promise<string | null> {
  const row = await db.selectFrom('memberships').select('title').where('user_id', '=', userId).where('council_id', '=', councilId).executeTakeFirst();
  return row?.title ?? null;
}
