import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { findConsultationRow } from '../../db/repositories/consultations.ts';
import { findDocumentInfo, insertDocument, listDocuments, readDocumentSlice } from '../../db/repositories/consultation-extras.ts';
import { storedBytes } from '../../db/byte-slices.ts';
import type { Executor } from '../../db/database.ts';
import type { DocumentTextStatus } from '../../db/types.ts';
import type { Actor } from '../access/actor.ts';
import { AppError, notFound } from '../errors.ts';
import { mayActorSee } from './policy.ts';
import type { ConsultationDeps } from './service.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueTextExtraction } from './document-text.ts';

/** The largest document Rådssvar keeps. */
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;
/** How many documents one registration may carry. */
export const MAX_DOCUMENTS = 10;

/** The document types Rådssvar accepts, keyed by the type file-type reads from the content. */
export const ACCEPTED_DOCUMENT_TYPES: Record<string, { ext: string; label: string }> = {
  'application/pdf': { ext: 'pdf', label: 'PDF' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { ext: 'docx', label: 'Word (DOCX)' },
  'application/vnd.oasis.opendocument.text': { ext: 'odt', label: 'OpenDocument-tekst (ODT)' },
};

/** A file as it arrived in a form: the name the browser gave and the bytes. */
export interface UploadedFile {
  originalName: string;
  bytes: Buffer;
}

/** A file that passed the checks, ready to store. */
export interface CheckedDocument {
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** A document as the pages list it. */
export interface DocumentView {
  id: number;
  filename: string;
  mediaType: string;
  typeLabel: string;
  size: number;
  sha256: string;
  uploadedAt: Date;
  uploadedBy: string | null;
  /** Where reading its text for search stands, as the page says it. */
  text: { status: DocumentTextStatus; label: string };
}

/** What the page says of a document's text, by its status; a failure adds why. */
function textLabel(status: DocumentTextStatus, error: string | null, pages: number | null): string {
  const pageText = pages === null ? '' : pages === 1 ? ', 1 side' : `, ${pages} sider`;
  switch (status) {
    case 'pending':
      return 'Teksten læses …';
    case 'extracted':
      return `Tekst udtrukket${pageText} – kan søges`;
    case 'no_text':
      return `Ingen tekst i filen${pageText} (en scannet PDF?) – kan ikke søges`;
    case 'unsupported':
      return 'Teksten kan ikke læses af denne filtype';
    case 'failed':
      return `Teksten kunne ikke udtrækkes: ${error ?? 'ukendt fejl'}`;
  }
}

/** The longest file name Rådssvar keeps; a longer one is refused rather than cut (which could cut off its extension). */
export const MAX_DOCUMENT_NAME_CHARS = 200;

// Control characters (C0, DEL, C1), the quote that ends a Content-Disposition value, line and
// paragraph separators, and every bidirectional control: an override or isolate can make
// "faktura\u202Efdp.exe" show as "fakturaexe.pdf".
const UNSAFE_NAME_CHARACTERS = /[\p{Cc}"\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A file name as it arrived from the sender's machine, made safe to show and send back: the
 * last path part only, without control or bidirectional formatting characters.
 */
export function cleanDocumentName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(UNSAFE_NAME_CHARACTERS, '').trim();
}

/**
 * Checks uploaded files by their content (never their name): PDF, DOCX or ODT, at most 25 MB
 * each, a name of at most 200 characters. Throws VALIDATION_FAILED on the `documents` field
 * naming the first bad file.
 */
export async function checkDocuments(files: UploadedFile[]): Promise<CheckedDocument[]> {
  const fail = (message: string) => new AppError('VALIDATION_FAILED', message, { details: [{ path: 'documents', message }] });
  if (files.length > MAX_DOCUMENTS) throw fail(`Højst ${MAX_DOCUMENTS} dokumenter ad gangen`);
  const checked: CheckedDocument[] = [];
  for (const file of files) {
    const name = cleanDocumentName(file.originalName);
    const shown = name || 'Et dokument uden navn';
    if (name.length > MAX_DOCUMENT_NAME_CHARS) {
      throw fail(`Filnavnet „${name.slice(0, 40)}…“ er for langt: højst ${MAX_DOCUMENT_NAME_CHARS} tegn. Omdøb filen og vælg den igen.`);
    }
    if (file.bytes.length > MAX_DOCUMENT_BYTES) throw fail(`${shown} er større end 25 MB`);
    if (file.bytes.length === 0) throw fail(`${shown} er tom`);
    const detected = await fileTypeFromBuffer(file.bytes);
    const accepted = detected ? ACCEPTED_DOCUMENT_TYPES[detected.mime] : undefined;
    if (!detected || !accepted) throw fail(`${shown} er ikke en PDF-, DOCX- eller ODT-fil`);
    checked.push({
      filename: name || `dokument.${accepted.ext}`,
      mediaType: detected.mime,
      size: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      bytes: file.bytes,
    });
  }
  return checked;
}

/**
 * Stores checked documents on a consultation (the caller has checked that the actor may; no
 * uploader: they arrived by themselves, with a mail) and, in
 * the same transaction, queues the reading of their text for search. Returns their ids.
 */
export async function storeDocuments(
  tx: Executor,
  jobs: Jobs,
  uploader: Pick<Actor, 'userId'> | null,
  consultationId: string,
  documents: CheckedDocument[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const doc of documents) ids.push((await insertDocument(tx, { consultationId, ...doc, uploadedBy: uploader?.userId ?? null })).id);
  await queueTextExtraction(jobs, tx, ids);
  return ids;
}

async function visibleConsultation(deps: ConsultationDeps, actor: Actor, id: string) {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await findConsultationRow(deps.db, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  return row;
}

/** The documents of a consultation the actor may see. */
export async function listConsultationDocuments(deps: ConsultationDeps, actor: Actor, id: string): Promise<DocumentView[]> {
  await visibleConsultation(deps, actor, id);
  return documentsOf(deps, id);
}

/** The documents of a consultation whose visibility the caller has already checked. */
export async function documentsOf(deps: Pick<ConsultationDeps, 'db'>, id: string): Promise<DocumentView[]> {
  return (await listDocuments(deps.db, id)).map(documentView);
}

/** A listed document as shown; `created_at` may be the ISO string of a row read as JSON. */
export function documentView(r: {
  id: number;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  created_at: Date | string;
  text_status: DocumentTextStatus;
  text_error: string | null;
  page_count: number | null;
  uploaderName: string | null;
}): DocumentView {
  return {
    id: r.id,
    filename: r.filename,
    mediaType: r.media_type,
    typeLabel: ACCEPTED_DOCUMENT_TYPES[r.media_type]?.label ?? r.media_type,
    size: r.size,
    sha256: r.sha256,
    uploadedAt: new Date(r.created_at),
    uploadedBy: r.uploaderName ?? null,
    text: { status: r.text_status, label: textLabel(r.text_status, r.text_error, r.page_count) },
  };
}

/** A stored file to send: its bytes come a slice at a time while the response is written. */
export interface StoredDownload {
  filename: string;
  mediaType: string;
  size: number;
  /** Read lazily (storedBytes): nothing before the first byte is wanted, nothing after the client goes. */
  bytes: AsyncIterable<Buffer>;
}

/**
 * One document, its bytes streamed from the database, or NOT_FOUND when the actor may not see
 * the consultation. Access is decided here, before any byte is read.
 */
export async function getConsultationDocument(deps: ConsultationDeps, actor: Actor, id: string, documentId: number): Promise<StoredDownload> {
  await visibleConsultation(deps, actor, id);
  const doc = await findDocumentInfo(deps.db, id, documentId);
  if (!doc) throw notFound('Dokumentet findes ikke');
  const bytes = storedBytes(doc.size, (offset, length) => readDocumentSlice(deps.db, doc.id, offset, length));
  return { filename: doc.filename, mediaType: doc.media_type, size: doc.size, bytes };
}
