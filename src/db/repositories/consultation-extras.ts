import { sql } from 'kysely';
import type { Executor } from '../database.ts';

// Documents, draft comments and status links of consultations (migration 2026-11-23T1310).

/** Stores one uploaded document. */
export function insertDocument(
  db: Executor,
  doc: { consultationId: string; filename: string; mediaType: string; size: number; sha256: string; bytes: Buffer; uploadedBy: number | null },
) {
  return db
    .insertInto('consultation_documents')
    .values({
      consultation_id: doc.consultationId,
      filename: doc.filename,
      media_type: doc.mediaType,
      size: doc.size,
      sha256: doc.sha256,
      bytes: doc.bytes,
      uploaded_by: doc.uploadedBy,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** What a list of documents shows (never the bytes), over consultation_documents joined with their uploaders as `users`. */
export const DOCUMENT_LIST_COLUMNS = [
  'consultation_documents.id',
  'consultation_documents.filename',
  'consultation_documents.media_type',
  'consultation_documents.size',
  'consultation_documents.sha256',
  'consultation_documents.created_at',
  'consultation_documents.text_status',
  'consultation_documents.text_error',
  'consultation_documents.page_count',
  'users.name as uploaderName',
] as const;

/** The documents of a consultation without their bytes, oldest first. */
export function listDocuments(db: Executor, consultationId: string) {
  return db
    .selectFrom('consultation_documents')
    .leftJoin('users', 'users.id', 'consultation_documents.uploaded_by')
    .select(DOCUMENT_LIST_COLUMNS)
    .where('consultation_documents.consultation_id', '=', consultationId)
    .orderBy('consultation_documents.id')
    .execute();
}

/** One document without its bytes, only when it belongs to the consultation. */
export function findDocumentInfo(db: Executor, consultationId: string, documentId: number) {
  return db
    .selectFrom('consultation_documents')
    .select(['id', 'filename', 'media_type', 'size'])
    .where('consultation_id', '=', consultationId)
    .where('id', '=', documentId)
    .executeTakeFirst();
}

/** `length` bytes of a document from byte `offset` (0-based): fewer at its end, undefined when it is gone. */
export async function readDocumentSlice(db: Executor, documentId: number, offset: number, length: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('consultation_documents')
    .select(sql<Buffer>`substring(bytes from ${offset + 1} for ${length})`.as('slice'))
    .where('id', '=', documentId)
    .executeTakeFirst();
  return row?.slice;
}

/** Appends a comment on a draft. */
export function insertDraftComment(
  db: Executor,
  comment: { consultationId: string; responseVersionNumber: number | null; authorId: number; body: string },
) {
  return db
    .insertInto('draft_comments')
    .values({
      consultation_id: comment.consultationId,
      response_version_number: comment.responseVersionNumber,
      author_id: comment.authorId,
      body: comment.body,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Sets (or replaces) a consultation's status link; the old token stops working. */
export async function upsertStatusLink(db: Executor, link: { consultationId: string; nonce: string; tokenSha256: string }): Promise<void> {
  await db
    .insertInto('consultation_status_links')
    .values({ consultation_id: link.consultationId, nonce: link.nonce, token_sha256: link.tokenSha256 })
    .onConflict((oc) => oc.column('consultation_id').doUpdateSet({ nonce: link.nonce, token_sha256: link.tokenSha256 }))
    .execute();
}

/** Creates status links for the consultations that have none; existing links stay. */
export async function insertMissingStatusLinks(db: Executor, links: { consultationId: string; nonce: string; tokenSha256: string }[]): Promise<void> {
  if (links.length === 0) return;
  await db
    .insertInto('consultation_status_links')
    .values(links.map((l) => ({ consultation_id: l.consultationId, nonce: l.nonce, token_sha256: l.tokenSha256 })))
    .onConflict((oc) => oc.column('consultation_id').doNothing())
    .execute();
}

/**
 * Up to `limit` ids, in id order after `afterId`, of consultations that have no status link; paging
 * by id keeps each batch a bounded walk of the primary key.
 */
export async function listConsultationsWithoutStatusLink(db: Executor, afterId: string | null, limit: number): Promise<string[]> {
  let query = db
    .selectFrom('consultations')
    .select('consultations.id')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('consultation_status_links')
            .select(sql.lit(1).as('one'))
            .whereRef('consultation_status_links.consultation_id', '=', 'consultations.id'),
        ),
      ),
    );
  if (afterId !== null) query = query.where('consultations.id', '>', afterId);
  const rows = await query.orderBy('consultations.id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** The status links (nonces) of some consultations. */
export function listStatusLinks(db: Executor, consultationIds: string[]) {
  if (consultationIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('consultation_status_links').select(['consultation_id', 'nonce']).where('consultation_id', 'in', consultationIds).execute();
}

/** The public facts of the consultation whose status token hashes to `tokenSha256`. */
export function findConsultationByStatusToken(db: Executor, tokenSha256: string) {
  return db
    .selectFrom('consultation_status_links')
    .innerJoin('consultations', 'consultations.id', 'consultation_status_links.consultation_id')
    .leftJoin('councils', 'councils.id', 'consultations.council_id')
    .select([
      'consultations.id',
      'consultations.title',
      'consultations.authority',
      'consultations.state',
      'consultations.deadline',
      'consultations.updated_at',
      'councils.name as councilName',
      'councils.slug as councilSlug',
    ])
    .where('consultation_status_links.token_sha256', '=', tokenSha256)
    .executeTakeFirst();
}

/** Ids of the councils in the given municipalities. */
export async function councilIdsInMunicipalities(db: Executor, municipalities: string[]): Promise<number[]> {
  if (municipalities.length === 0) return [];
  const rows = await db.selectFrom('councils').select('id').where('municipality', 'in', municipalities).execute();
  return rows.map((r) => r.id);
}
