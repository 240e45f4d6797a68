import { createHash } from 'node:crypto';
import { storedBytes } from '../../db/byte-slices.ts';
import type { Db, Executor, Tx } from '../../db/database.ts';
import type { Consultation } from '../../db/types.ts';
import {
  findArchivedDocumentInfo,
  readArchivedPdfSlice,
  findLetterSource,
  findMembershipTitle,
  listArchivedDocumentsInChainAfter,
} from '../../db/repositories/archive.ts';
import { chainHash, type ChainAnchor } from './chain.ts';
import {
  findConsultationRow,
  lockConsultationWithDetails,
  type ArchiveRecord,
  type ConsultationDetailsRow,
} from '../../db/repositories/consultations.ts';
import { restoreSnapshot, type ConsultationContext, type PersistedConsultation } from '../../../workflows/consultation.machine.ts';
import { listCouncilMembers } from '../../db/repositories/users.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { mayActorReadInternals, mayActorSee, mayActorSend } from '../consultations/policy.ts';
import { eventSchemas, type EventInput } from '../consultations/schemas.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { councilLogoDataUri, renderLetterPdf, TEMPLATE_VERSION, type LetterData } from '../pdf/letter.ts';
import { PdfRenderRefusedError, type PdfRenderer } from '../pdf/renderer.ts';
import { formatDanishDate, type Clock } from '../time.ts';
import { isUuid, parseInput } from '../validation.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { Logger } from '../../logger.ts';
import { checkSubmissionMailAddress, enqueueSubmissionMail } from '../mail/submission.ts';

/** What the archive needs: the database, the clock, the shared PDF renderer, the job queue. */
export interface ArchiveDeps {
  db: Db;
  clock: Clock;
  pdf: Pick<PdfRenderer, 'render'>;
  /** A SUBMIT by e-mail queues the letter's mail in the submitting transaction. */
  jobs: Jobs;
  logger: Pick<Logger, 'error' | 'warn'>;
}

/**
 * Writes the state change of a SUBMIT and its archived `letter` inside the caller's transaction
 * (the consultation service's applyEvent) on the row as locked, with its details.
 * What it returns comes back to the caller of submitWithLetter.
 */
export type ApplySubmit<T> = (tx: Tx, row: ConsultationDetailsRow, event: EventInput, letter: ArchiveRecord) => Promise<T>;

type SubmitEvent = Extract<EventInput, { type: 'SUBMIT' }>;

const DEFAULT_SIGNER_TITLE = 'formand';

function staleVersion(currentVersion: number): AppError {
  return new AppError('STALE_VERSION', 'Høringen er ændret af en anden siden du hentede den. Hent den igen.', {
    meta: { currentVersion },
  });
}

function renderFailed(): AppError {
  return new AppError(
    'RENDER_FAILED',
    'Høringssvaret kunne ikke laves som PDF, så det er ikke sendt. Høringen er stadig godkendt – prøv igen om lidt.',
  );
}

/** `Hoeringssvar-<reference>.pdf`, with only characters every file system and header accepts. */
export function letterFileName(consultation: { id: string; reference: string | null }): string {
  const reference = (consultation.reference ?? consultation.id).replace(/[^A-Za-z0-9._-]+/g, '-');
  return `Hoeringssvar-${reference}.pdf`;
}

type LetterSource = NonNullable<Awaited<ReturnType<typeof findLetterSource>>>;

/** The letter's date: the day the user says it was sent, else today (both Danish calendar days). */
function letterDate(submittedAt: string | null | undefined, now: Date): Date {
  // Noon UTC is the same calendar day in Copenhagen, summer or winter.
  return submittedAt ? new Date(`${submittedAt}T12:00:00Z`) : now;
}

async function visibleConsultation(db: Db, actor: Actor, id: string): Promise<Consultation> {
  const row = isUuid(id) ? await findConsultationRow(db, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  return row;
}

/** What a letter of the consultation is made from (findLetterSource), or NOT_FOUND when the actor may not see it. */
async function visibleLetterSource(db: Db, actor: Actor, id: string): Promise<LetterSource> {
  const row = isUuid(id) ? await findLetterSource(db, id) : undefined;
  if (!row || !mayActorSee(actor, row)) throw notFound('Høringen findes ikke');
  return row;
}

/** The letterhead's contact text, with the council's reply e-mail on a line of its own unless the text already gives it. */
function contactLines(contact: string, email: string | null): string {
  if (!email || contact.toLowerCase().includes(email)) return contact;
  return contact.trim() === '' ? email : `${contact}\n${email}`;
}

function letterData(row: LetterSource, body: string, signer: LetterData['signer'], date: Date, draft: boolean): LetterData {
  return {
    council: {
      name: row.council_name ?? '',
      address: row.letterhead_address ?? '',
      contact: contactLines(row.letterhead_contact ?? '', row.letterhead_email),
      logoDataUri: councilLogoDataUri(row),
    },
    authority: row.authority,
    title: row.title,
    authorityReference: row.authority_reference,
    reference: row.reference,
    date,
    bodyMarkdown: body,
    signer,
    draft,
  };
}

/**
 * Who signs an approved letter: the chair who approved it. An approval the meeting decided and
 * the secretary recorded in the minutes (APPROVE with basis `meeting`, src/domain/meetings/minutes.ts)
 * is signed by the council's chair instead, never by the secretary; with no chair, by whoever approved.
 */
async function approvingSigner(db: Executor, row: LetterSource): Promise<LetterSource['last_approver']> {
  const approver = row.last_approver;
  if (!approver || approver.role === 'chair' || row.council_id === null) return approver;
  const [chair] = await listCouncilMembers(db, row.council_id, ['chair']);
  return chair ?? approver;
}

/**
 * Who signs a text the council approved by written procedure (no person's APPROVE): the council's
 * chair, who signs on the council's behalf. Null for any other approval, or a council without a chair.
 */
async function procedureSigner(
  db: Executor,
  councilId: number,
  context: ConsultationContext,
): Promise<{ name: string; title: string | null } | null> {
  if (context.approval?.basis !== 'written_procedure' || context.writtenProcedure?.outcome !== 'approved') return null;
  const [chair] = await listCouncilMembers(db, councilId, ['chair']);
  return chair ?? null;
}

/** The line the archived letter keeps about a written procedure's approval: when it closed and its count. */
function approvalRecord(context: ConsultationContext): string | null {
  const procedure = context.writtenProcedure;
  const tally = context.approval?.tally;
  if (context.approval?.basis !== 'written_procedure' || procedure?.outcome !== 'approved' || !tally || !procedure.closedAt) return null;
  return (
    `Godkendt af rådet ved skriftlig procedure afsluttet ${formatDanishDate(new Date(procedure.closedAt))}: ` +
    `${tally.agree} for, ${tally.disagree} imod, ${tally.abstain} hverken for eller imod, ${tally.notVoted} stemte ikke.`
  );
}

function signer(person: { name: string; title: string | null }): { name: string; title: string } {
  return { name: person.name, title: person.title?.trim() || DEFAULT_SIGNER_TITLE };
}

/**
 * SUBMIT with its letter: the cheap refusals first (visibility, role, payload, version, whether the
 * machine allows SUBMIT now), then the letter is rendered from the newest response version and
 * signed by the chair who approved it, and only then one transaction locks the consultation,
 * checks the version again, writes the transition (through `apply`) and appends the archive row.
 * A render failure leaves the consultation `approved` with nothing written (RENDER_FAILED); of two
 * concurrent submits exactly one commits, the other gets STALE_VERSION. A SUBMIT by e-mail queues
 * the letter's mail in the same transaction. Returns what `apply` returned.
 */
export async function submitWithLetter<T>(deps: ArchiveDeps, actor: Actor, id: string, input: unknown, apply: ApplySubmit<T>): Promise<T> {
  const row = await visibleLetterSource(deps.db, actor, id);
  if (!mayActorSend(actor, 'SUBMIT', row.council_id)) throw forbidden();
  const event: SubmitEvent = parseInput(eventSchemas.SUBMIT, input);
  if (row.version !== event.version) throw staleVersion(row.version);
  const snapshot = restoreSnapshot(row.snapshot as PersistedConsultation, row.machine_version);
  if (!snapshot.can({ type: 'SUBMIT', channel: event.channel, recipient: event.recipient, submittedAt: event.submittedAt })) {
    throw new AppError('TRANSITION_NOT_ALLOWED', `Hændelsen SUBMIT er ikke mulig i tilstanden ${row.state}`, { meta: { state: row.state } });
  }
  checkSubmissionMailAddress(event, row.authority_email);

  const response = row.latest_response;
  const approver =
    (await approvingSigner(deps.db, row)) ?? (row.council_id !== null ? await procedureSigner(deps.db, row.council_id, snapshot.context) : null);
  if (row.council_id === null || !response || !approver) {
    throw new AppError('TRANSITION_NOT_ALLOWED', 'Høringen har ikke et godkendt høringssvar at sende');
  }
  const letter = {
    ...letterData(row, response.body, signer(approver), letterDate(event.submittedAt, deps.clock()), false),
    approvalRecord: approvalRecord(snapshot.context),
  };

  let pdf: Buffer;
  try {
    // A submission goes ahead of every waiting preview and is never refused for load.
    pdf = await renderLetterPdf(deps.pdf, letter, { priority: 'submission' });
  } catch (error) {
    deps.logger.error({ err: error, consultationId: id }, 'PDF rendering of a submission failed');
    throw renderFailed();
  }
  const sha256 = createHash('sha256').update(pdf).digest('hex');

  const letterRecord: ArchiveRecord = { pdf, sha256, responseVersionId: response.id, templateVersion: TEMPLATE_VERSION, submittedBy: actor.userId };
  return deps.db.transaction().execute(async (tx) => {
    const locked = await lockConsultationWithDetails(tx, id);
    if (!locked || !mayActorSee(actor, locked)) throw notFound('Høringen findes ikke');
    // The same version as when the letter was rendered means the same approved text: every new
    // response version raises the version. (apply checks it too; failing here is only earlier.)
    if (locked.version !== event.version) throw staleVersion(locked.version);
    let written: T;
    try {
      written = await apply(tx, locked, event, letterRecord);
    } catch (error) {
      // The row lock and version check make this unreachable for two submits through here; the
      // unique constraint is the last wall should anything else have archived it meanwhile.
      if ((error as { code?: string }).code === '23505') throw staleVersion(locked.version + 1);
      throw error;
    }
    // Queued in the same transaction: the mail job exists exactly when the submission does.
    if (event.channel === 'email') await enqueueSubmissionMail(deps, id, { tx });
    return written;
  });
}

/**
 * An archived letter as served: `pdf` is null when the caller already has this exact file, else
 * its bytes, read from the database a slice at a time while they are sent (storedBytes).
 */
export interface ArchivedLetterDownload {
  etag: string;
  fileName: string;
  sizeBytes: number;
  pdf: AsyncIterable<Buffer> | null;
}

/** The strong ETag of an archived letter: its SHA-256, which never changes. */
export function archiveEtag(sha256: string): string {
  return `"sha256-${sha256}"`;
}

/** Whether an If-None-Match header names `etag` (or `*`), weak or strong. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

/**
 * The archived letter of a submitted consultation. NOT_FOUND before submission and for anyone
 * who may not see the consultation (decided before any byte is read). With `ifNoneMatch` naming
 * the letter's ETag, the bytes are not even read (`pdf` null: answer 304).
 */
export async function getArchivedLetter(
  deps: Pick<ArchiveDeps, 'db'>,
  actor: Actor,
  id: string,
  ifNoneMatch?: string,
): Promise<ArchivedLetterDownload> {
  const row = await visibleConsultation(deps.db, actor, id);
  return archivedLetterDownload(deps.db, row, ifNoneMatch);
}

/**
 * The archived letter of a consultation the caller has decided may be read (here, or the public
 * page for a published response): the same bytes and ETag wherever it is read. NOT_FOUND when
 * there is no letter.
 */
export async function archivedLetterDownload(
  db: Pick<ArchiveDeps, 'db'>['db'],
  consultation: { id: string; reference: string | null },
  ifNoneMatch?: string,
): Promise<ArchivedLetterDownload> {
  const info = await findArchivedDocumentInfo(db, consultation.id);
  if (!info) throw notFound('Høringssvaret er ikke sendt og arkiveret endnu');
  const etag = archiveEtag(info.sha256);
  const fileName = letterFileName(consultation);
  if (etagMatches(ifNoneMatch, etag)) return { etag, fileName, sizeBytes: info.sizeBytes, pdf: null };
  const pdf = storedBytes(info.sizeBytes, (offset, length) => readArchivedPdfSlice(db, info.id, offset, length));
  return { etag, fileName, sizeBytes: info.sizeBytes, pdf };
}

/**
 * The current draft as the letter it would become, marked "UDKAST – ikke godkendt" on every page
 * and never stored. Only those who may read the council's internals get it (NOT_FOUND for others, staff included, and
 * when there is no draft or the response has been submitted). It is signed by the chair who
 * approved it, else by the chair asking, else it says the signer is added at approval.
 *
 * @throws AppError TOO_MANY_REQUESTS when the actor already has their share of previews under way,
 *   RENDER_FAILED when the preview queue is full (both with `retryAfterSeconds`) or Chromium fails.
 */
export async function previewLetter(
  deps: Pick<ArchiveDeps, 'db' | 'clock' | 'pdf' | 'logger'>,
  actor: Actor,
  id: string,
): Promise<{ pdf: Buffer; fileName: string }> {
  const row = await visibleLetterSource(deps.db, actor, id);
  const role = roleIn(actor, row.council_id);
  // A preview is the draft: for the council's own people and admins (who set up the letterheads),
  // never for municipal staff or another council.
  const councilId = row.council_id;
  if (!mayActorReadInternals(actor, row) || councilId === null) throw notFound('Høringen findes ikke');
  if (row.state === 'submitted') throw notFound('Høringssvaret er sendt; hent det arkiverede brev');
  const response = row.latest_response;
  const approver = row.state === 'approved' ? await approvingSigner(deps.db, row) : null;
  if (!response) throw notFound('Der er endnu intet udkast');
  let signedBy: LetterData['signer'] = null;
  if (approver) signedBy = signer(approver);
  else if (role === 'chair') signedBy = signer({ name: actor.name, title: await findMembershipTitle(deps.db, actor.userId, councilId) });
  try {
    return await renderDraftLetter(deps, row, response.body, signedBy, actor.userId);
  } catch (error) {
    if (error instanceof PdfRenderRefusedError) throw previewRefused(error);
    deps.logger.error({ err: error, consultationId: id }, 'PDF rendering of a draft preview failed');
    throw new AppError('RENDER_FAILED', 'Udkastet kunne ikke vises som PDF lige nu. Prøv igen om lidt.');
  }
}

/** The draft as a letter marked "UDKAST – ikke godkendt", never stored, and its file name. */
async function renderDraftLetter(
  deps: Pick<ArchiveDeps, 'clock' | 'pdf'>,
  row: LetterSource,
  body: string,
  signedBy: LetterData['signer'],
  owner: number | string,
): Promise<{ pdf: Buffer; fileName: string }> {
  const pdf = await renderLetterPdf(deps.pdf, letterData(row, body, signedBy, deps.clock(), true), { priority: 'preview', owner });
  return { pdf, fileName: letterFileName(row).replace(/\.pdf$/, '-UDKAST.pdf') };
}

/**
 * The draft preview (as {@link previewLetter} makes it, with the signer added at approval) for a
 * mail to the council's members, such as a written procedure's: no actor, since the job sending
 * it checks who gets it. Undefined when the consultation has no council or no draft. Throws when
 * rendering fails, so the job is tried again.
 */
export async function draftPreviewForMail(
  deps: Pick<ArchiveDeps, 'db' | 'clock' | 'pdf'>,
  consultationId: string,
): Promise<{ pdf: Buffer; fileName: string; body: string } | undefined> {
  const row = await findLetterSource(deps.db, consultationId);
  const response = row?.latest_response;
  if (!row || row.council_id === null || !response) return undefined;
  return { ...(await renderDraftLetter(deps, row, response.body, null, `draft-mail-${consultationId}`)), body: response.body };
}

/** A preview the renderer would not queue: 429 for the user's own limit, 503 when everyone's queue is full; both say when to try again. */
function previewRefused(error: PdfRenderRefusedError): AppError {
  const meta = { retryAfterSeconds: error.retryAfterSeconds };
  if (error.reason === 'user_limit') {
    return new AppError('TOO_MANY_REQUESTS', 'Du har allerede udkast under visning som PDF. Vent til de er vist, og prøv igen.', { meta });
  }
  return new AppError('RENDER_FAILED', 'Der laves mange PDF-udkast lige nu. Prøv igen om lidt.', { meta });
}

/** A document (letter or minutes) whose bytes no longer match the SHA-256 or size stored beside it. */
export interface ContentMismatch {
  id: number;
  /** The letter's consultation; null for minutes. */
  consultationId: string | null;
  /** The minutes' meeting; null for letters. */
  meetingId?: number | null;
  expected: string;
  actual: string;
  sizeBytes: number;
  actualSize: number;
}

/**
 * A place where the chain does not hold. `changed`: the letter's chain hash no longer covers its
 * stored fields (its metadata or SHA-256 was rewritten). `link`: the letter does not point at its
 * predecessor's chain hash (`previousId`, rewritten hash and all). `gap`: letters are missing
 * before it. `anchor`: the chain hash at a recorded anchor differs, or that place is gone.
 */
export interface ChainBreak {
  problem: 'changed' | 'link' | 'gap' | 'anchor';
  id: number | null;
  consultationId: string | null;
  position: number;
  previousId?: number;
  message: string;
}

/** The result of checking the archive. */
export interface ArchiveVerification {
  checked: number;
  mismatches: ContentMismatch[];
  chainBreaks: ChainBreak[];
  /**
   * The newest letter's place and chain hash. Keep it outside the database (a ticket, the
   * municipality's records) and pass it later as an anchor: a rewrite of everything up to it,
   * every hash recomputed, is then caught too.
   */
  head: { position: number; id: number; chainSha256: string } | null;
}

/**
 * Checks the whole archive in chain order, in batches of `batchSize` so memory stays bounded:
 * re-hashes every PDF against its stored SHA-256 and size, recomputes every chain hash, follows
 * every link to the predecessor, and compares the chain with the given anchors.
 */
export async function verifyArchive(db: Executor, options: { batchSize?: number; anchors?: ChainAnchor[] } = {}): Promise<ArchiveVerification> {
  const batchSize = options.batchSize ?? 50;
  const anchors = new Map((options.anchors ?? []).map((a) => [a.position, a.chainSha256]));
  const result: ArchiveVerification = { checked: 0, mismatches: [], chainBreaks: [], head: null };
  let previous: { id: number; position: number; chainSha256: string } | null = null;
  for (;;) {
    const batch = await listArchivedDocumentsInChainAfter(db, previous?.position ?? 0, batchSize);
    if (batch.length === 0) break;
    for (const doc of batch) {
      result.checked += 1;
      const actual = createHash('sha256').update(doc.pdf).digest('hex');
      if (actual !== doc.sha256 || doc.pdf.length !== doc.sizeBytes) {
        result.mismatches.push({
          id: doc.id,
          consultationId: doc.consultationId,
          ...(doc.kind === 'minutes' ? { meetingId: doc.meetingId } : {}),
          expected: doc.sha256,
          actual,
          sizeBytes: doc.sizeBytes,
          actualSize: doc.pdf.length,
        });
      }
      const at = { id: doc.id, consultationId: doc.consultationId, position: doc.chainPosition };
      const expectedPosition: number = (previous?.position ?? 0) + 1;
      if (doc.chainPosition !== expectedPosition) {
        result.chainBreaks.push({ ...at, problem: 'gap', message: `Arkivet mangler plads ${expectedPosition}–${doc.chainPosition - 1} i kæden` });
      } else if (doc.previousChainSha256 !== (previous?.chainSha256 ?? null)) {
        result.chainBreaks.push({
          ...at,
          problem: 'link',
          ...(previous ? { previousId: previous.id } : {}),
          message: 'Dokumentet peger ikke på forgængerens kædehash: forgængeren er omskrevet',
        });
      }
      if (chainHash(doc) !== doc.chainSha256) {
        result.chainBreaks.push({
          ...at,
          problem: 'changed',
          message: 'Kædehashen dækker ikke dokumentets felter: dets metadata eller SHA-256 er ændret efter arkiveringen',
        });
      }
      const anchored = anchors.get(doc.chainPosition);
      if (anchored !== undefined) {
        if (anchored !== doc.chainSha256)
          result.chainBreaks.push({ ...at, problem: 'anchor', message: 'Kædehashen svarer ikke til det gemte anker' });
        anchors.delete(doc.chainPosition);
      }
      previous = { id: doc.id, position: doc.chainPosition, chainSha256: doc.chainSha256 };
    }
  }
  for (const position of anchors.keys()) {
    result.chainBreaks.push({
      id: null,
      consultationId: null,
      position,
      problem: 'anchor',
      message: `Arkivet har ikke længere et dokument på ankerets plads ${position}`,
    });
  }
  result.head = previous ? { position: previous.position, id: previous.id, chainSha256: previous.chainSha256 } : null;
  return result;
}
