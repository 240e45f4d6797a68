import { createHash } from 'node:crypto';
import { z } from 'zod';
import { storedBytes } from '../../db/byte-slices.ts';
import type { Db, Tx } from '../../db/database.ts';
import { findAgendaItem, listAgendaItems, lockCouncilMeeting } from '../../db/repositories/agenda.ts';
import { readArchivedPdfSlice } from '../../db/repositories/archive.ts';
import { insertEvent, lockConsultation } from '../../db/repositories/consultations.ts';
import { findMinutesDocument, insertMinutesDocument, listOutcomeRecorders, recordAgendaItemOutcome } from '../../db/repositories/minutes.ts';
import type { AgendaItemKind, AgendaItemOutcome, Council, Meeting } from '../../db/types.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../access/actor.ts';
import { sendMeetingDecisionInTransaction } from '../consultations/service.ts';
import { AppError, notFound } from '../errors.ts';
import { MINUTES_TEMPLATE_VERSION, renderMinutesPdf, type MinutesPdfData } from '../pdf/minutes.ts';
import type { PdfRenderer } from '../pdf/renderer.ts';
import { danishDate, formatDanishDateTime, type Clock } from '../time.ts';
import { optionalText, parseInput } from '../validation.ts';
import { meetingLetterhead } from './agenda-output.ts';
import { agendaView, mayActorPrepareAgenda, preparableCouncil, readableMeeting, type AgendaItemView, type AgendaView } from './agenda.ts';

/**
 * The meeting's minutes (referat). Once the meeting has begun, its secretary or chair (or an
 * administrator) records per agenda item what the meeting decided:
 *
 * - `approved` (a consultation item): APPROVE with basis `meeting` and the meeting's Danish date
 *   goes to the consultation, so the chair need not approve again;
 * - `sent_back` (a consultation item, with the meeting's comment): REQUEST_CHANGES;
 * - `noted`: a decision to note (or a consultation the meeting only discussed); a MEETING_NOTED
 *   row on the consultation's timeline, which changes neither its state nor its version;
 * - `postponed` (a consultation item): nothing is sent; the consultation stays open and the next
 *   meeting's agenda refresh puts it on again (it still awaits the council's decision).
 *
 * The item's outcome and the consultation's event are written in one transaction with the meeting
 * row locked, so they exist together or not at all, and of two recordings of the same item exactly
 * one wins. An outcome is recorded once: a second recording of an item is refused (CONFLICT), also
 * one that sent nothing, so the minutes never say something the consultation's timeline does not.
 * Finalising ("Godkend og arkivér referatet") renders the minutes PDF and archives it beside the
 * letters (append-only, SHA-256, in the archive's chain), once per meeting; after that nothing on
 * the minutes changes.
 */

export interface MinutesDeps {
  db: Db;
  clock: Clock;
}

/** What finalising needs besides: the shared PDF renderer. */
export interface MinutesArchiveDeps extends MinutesDeps {
  pdf: Pick<PdfRenderer, 'render'>;
  logger: Pick<Logger, 'error'>;
}

/** The outcomes the minutes offer for each kind of item, in the order the form lists them. */
export const OUTCOMES_BY_KIND: Record<AgendaItemKind, readonly AgendaItemOutcome[]> = {
  consultation: ['approved', 'sent_back', 'noted', 'postponed'],
  note: ['noted'],
  free: ['noted', 'postponed'],
};

/** What each outcome says, in the form and the minutes. */
export const OUTCOME_LABELS: Record<AgendaItemOutcome, string> = {
  approved: 'Godkendt',
  sent_back: 'Sendt tilbage med kommentarer',
  noted: 'Taget til efterretning',
  postponed: 'Udsat',
};

/** A meeting's minutes for one reader: its agenda's items with what was recorded, and whether they are archived. */
export interface MinutesView {
  council: AgendaView['council'];
  meeting: AgendaView['meeting'];
  items: (AgendaItemView & { outcomes: readonly AgendaItemOutcome[]; recordedAt: Date | null; recordedByName: string | null })[];
  /** Whether the meeting has begun (before that, nothing can be recorded). */
  begun: boolean;
  /** The archived minutes, once approved; null before. */
  archived: { createdAt: Date; sha256: string; archivedByName: string | null } | null;
  /** Whether the reader may record outcomes and finalise now (begun, not archived, and they prepare the agenda). */
  mayRecord: boolean;
  /** How many items still lack an outcome (all must have one before the minutes are approved). */
  unrecorded: number;
}

async function minutesView(db: Db | Tx, council: Council, meeting: Meeting, actor: Actor | null, now: Date): Promise<MinutesView> {
  const [agenda, archived, recorders] = await Promise.all([
    agendaView(db, council, meeting, actor),
    findMinutesDocument(db, meeting.id),
    listOutcomeRecorders(db, meeting.id),
  ]);
  const begun = meeting.starts_at.getTime() <= now.getTime();
  const items = agenda.items.map((item) => ({
    ...item,
    outcomes: OUTCOMES_BY_KIND[item.kind],
    recordedAt: recorders.get(item.id)?.at ?? null,
    recordedByName: recorders.get(item.id)?.name ?? null,
  }));
  return {
    council: agenda.council,
    meeting: agenda.meeting,
    items,
    begun,
    archived: archived ? { createdAt: archived.createdAt, sha256: archived.sha256, archivedByName: archived.archivedByName } : null,
    mayRecord: begun && !archived && actor !== null && mayActorPrepareAgenda(actor, council.id),
    unrecorded: items.filter((i) => i.outcome === null).length,
  };
}

/** A meeting's minutes for a reader of the council's agendas (read-only unless they prepare them); NOT_FOUND for anyone else. */
export async function getMinutes(deps: MinutesDeps, actor: Actor, slug: string, meetingId: number): Promise<MinutesView> {
  const { council, meeting } = await readableMeeting(deps, actor, slug, meetingId);
  return minutesView(deps.db, council, meeting, actor, deps.clock());
}

const outcomeForm = z.object({
  outcome: z.enum(['approved', 'sent_back', 'noted', 'postponed'], { message: 'Vælg hvad mødet besluttede' }),
  comment: optionalText(5000),
});

function notBegun(): AppError {
  return new AppError('CONFLICT', 'Referatet kan først føres, når mødet er begyndt', { meta: { reason: 'MEETING_NOT_BEGUN' } });
}

function alreadyArchived(): AppError {
  return new AppError('CONFLICT', 'Referatet er godkendt og arkiveret og kan ikke ændres', { meta: { reason: 'MINUTES_ARCHIVED' } });
}

/**
 * Locks the meeting row for a change to its minutes and checks that they can change: the meeting
 * has begun and its minutes are not archived yet.
 */
async function lockMinutes(tx: Tx, council: Council, meetingId: number, now: Date): Promise<Meeting> {
  const meeting = await lockCouncilMeeting(tx, council.id, meetingId);
  if (!meeting) throw notFound('Mødet findes ikke');
  if (meeting.starts_at.getTime() > now.getTime()) throw notBegun();
  if (await findMinutesDocument(tx, meeting.id)) throw alreadyArchived();
  return meeting;
}

/**
 * Sends the consultation the decision an outcome stands for (see the module comment), in `tx`.
 * APPROVE and REQUEST_CHANGES need the consultation awaiting approval: otherwise
 * TRANSITION_NOT_ALLOWED, with `meta.reason` NOT_AWAITING_APPROVAL, and nothing is recorded.
 */
async function sendOutcome(
  tx: Tx,
  deps: MinutesDeps,
  actor: Actor,
  meeting: Meeting,
  item: { id: number; consultation_id: string | null },
  outcome: AgendaItemOutcome,
  comment: string | null,
): Promise<void> {
  if (item.consultation_id === null || outcome === 'postponed') return;
  const consultation = await lockConsultation(tx, item.consultation_id);
  if (!consultation) throw notFound('Høringen findes ikke');
  const meetingDate = danishDate(meeting.starts_at);
  if (outcome === 'noted') {
    // The timeline is append-only; noting changes no state, so from and to are the current one.
    await insertEvent(tx, {
      consultationId: consultation.id,
      actorId: actor.userId,
      type: 'MEETING_NOTED',
      fromState: consultation.state,
      toState: consultation.state,
      payload: { meetingId: meeting.id, meetingDate, agendaItemId: item.id },
    });
    return;
  }
  if (consultation.state !== 'awaiting_approval') {
    // Already decided (by the chair or a written procedure since the agenda was made), or not ready yet.
    const decided = ['approved', 'submitted'].includes(consultation.state);
    throw new AppError(
      'TRANSITION_NOT_ALLOWED',
      decided
        ? 'Høringssvaret er allerede godkendt, så mødet skal ikke godkende det igen. Før punktet som taget til efterretning.'
        : outcome === 'approved'
          ? 'Mødet kan kun godkende et høringssvar, der er sendt til godkendelse. Send udkastet til godkendelse først, eller før punktet som udsat.'
          : 'Mødet kan kun sende et høringssvar tilbage, der er sendt til godkendelse. Før punktet som udsat eller taget til efterretning.',
      { meta: { reason: 'NOT_AWAITING_APPROVAL', state: consultation.state } },
    );
  }
  await sendMeetingDecisionInTransaction(
    tx,
    deps,
    actor,
    consultation.id,
    outcome === 'approved'
      ? { type: 'APPROVE', version: consultation.version, meetingDate }
      : { type: 'REQUEST_CHANGES', version: consultation.version, comment: comment! },
  );
}

/**
 * Records what the meeting decided on one item (see the module comment), for the council's
 * secretary or chair once the meeting has begun. VALIDATION_FAILED for an outcome the item's kind
 * does not offer or a sending back without comment; CONFLICT when the item is recorded already,
 * the meeting has not begun, or the minutes are archived; TRANSITION_NOT_ALLOWED when the
 * consultation does not await approval.
 */
export async function recordOutcome(deps: MinutesDeps, actor: Actor, slug: string, meetingId: number, itemId: number, input: unknown): Promise<void> {
  const values = parseInput(outcomeForm, input);
  const council = await preparableCouncil(deps, actor, slug);
  const comment = values.comment ?? null;
  await deps.db.transaction().execute(async (tx) => {
    const now = deps.clock();
    const meeting = await lockMinutes(tx, council, meetingId, now);
    const item = await findAgendaItem(tx, meeting.id, itemId);
    if (!item || item.removed_at !== null) throw notFound('Punktet findes ikke');
    if (item.outcome !== null) {
      throw new AppError('CONFLICT', `Punktet er allerede ført til referat: ${OUTCOME_LABELS[item.outcome].toLowerCase()}`, {
        meta: { reason: 'ALREADY_RECORDED', outcome: item.outcome },
      });
    }
    if (!OUTCOMES_BY_KIND[item.kind].includes(values.outcome)) {
      const message = 'Det kan ikke besluttes om dette punkt';
      throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'outcome', message }] });
    }
    if (values.outcome === 'sent_back' && comment === null) {
      const message = 'Skriv mødets kommentarer til sekretæren';
      throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'comment', message }] });
    }
    await sendOutcome(tx, deps, actor, meeting, item, values.outcome, comment);
    // Under the meeting lock this always wins; the condition is the last wall all the same.
    if (!(await recordAgendaItemOutcome(tx, meeting.id, item.id, { outcome: values.outcome, comment, at: now, by: actor.userId }))) {
      throw new AppError('CONFLICT', 'Punktet er allerede ført til referat', { meta: { reason: 'ALREADY_RECORDED' } });
    }
  });
}

/** "Referat af mødet 12. marts 2026, kl. 17.00" */
export function minutesTitle(meeting: { startsAt: Date }): string {
  return `Referat af mødet ${formatDanishDateTime(meeting.startsAt)}`;
}

/** "referat-2026-03-12.pdf" */
export function minutesFileName(meeting: { startsAt: Date }): string {
  return `referat-${danishDate(meeting.startsAt)}.pdf`;
}

function pdfData(council: Council, view: MinutesView, date: Date, approvedBy: string): MinutesPdfData {
  return {
    council: meetingLetterhead(council),
    title: minutesTitle(view.meeting),
    startsAt: view.meeting.startsAt,
    place: view.meeting.place,
    date,
    approvedBy,
    items: view.items.map((item) => ({
      number: item.number,
      kind: item.kind,
      title: item.title,
      reference: item.consultation?.reference ?? null,
      outcome: item.outcome!,
      outcomeLabel: OUTCOME_LABELS[item.outcome!],
      comment: item.outcomeComment,
    })),
  };
}

/**
 * "Godkend og arkivér referatet": renders the minutes PDF (every item must have its outcome) and
 * appends it to the archive with its SHA-256, once per meeting. The PDF is rendered before the
 * transaction; the transaction locks the meeting again and refuses (CONFLICT) when another
 * finalising came first. RENDER_FAILED when the renderer fails (nothing is archived).
 */
export async function finaliseMinutes(deps: MinutesArchiveDeps, actor: Actor, slug: string, meetingId: number): Promise<void> {
  const council = await preparableCouncil(deps, actor, slug);
  const { meeting } = await readableMeeting(deps, actor, slug, meetingId);
  const now = deps.clock();
  const view = await minutesView(deps.db, council, meeting, null, now);
  if (!view.begun) throw notBegun();
  if (view.archived) throw alreadyArchived();
  if (view.unrecorded > 0) {
    throw new AppError('CONFLICT', `Før alle punkter til referat først: ${view.unrecorded} mangler`, {
      meta: { reason: 'ITEMS_UNRECORDED', unrecorded: view.unrecorded },
    });
  }
  let pdf: Buffer;
  try {
    // Archiving, like a submission, goes ahead of waiting previews and is never refused for load.
    pdf = await renderMinutesPdf(deps.pdf, pdfData(council, view, now, actor.name), { priority: 'submission' });
  } catch (error) {
    deps.logger.error({ err: error, meetingId }, 'PDF rendering of minutes failed');
    throw new AppError('RENDER_FAILED', 'Referatet kunne ikke laves som PDF, så det er ikke arkiveret. Prøv igen om lidt.');
  }
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  await deps.db.transaction().execute(async (tx) => {
    await lockMinutes(tx, council, meeting.id, deps.clock());
    // The agenda may have changed while the PDF was rendered (an item added or taken off): then
    // the PDF is not the minutes any more, and nothing is archived.
    const live = await listAgendaItems(tx, meeting.id);
    const rendered = view.items.map((i) => i.id);
    if (live.length !== rendered.length || live.some((item, i) => item.id !== rendered[i] || item.outcome === null)) {
      throw new AppError('CONFLICT', 'Dagsordenen blev ændret, mens referatet blev lavet. Prøv igen.', { meta: { reason: 'AGENDA_CHANGED' } });
    }
    await insertMinutesDocument(tx, { meetingId: meeting.id, pdf, sha256, templateVersion: MINUTES_TEMPLATE_VERSION, archivedBy: actor.userId });
  });
}

/** The archived minutes PDF as served: its bytes read a slice at a time (storedBytes). */
export interface MinutesDownload {
  fileName: string;
  sha256: string;
  sizeBytes: number;
  pdf: AsyncIterable<Buffer>;
}

/** The archived minutes for a reader of the council's agendas; NOT_FOUND for anyone else and before they are archived. */
export async function getMinutesPdf(deps: MinutesDeps, actor: Actor, slug: string, meetingId: number): Promise<MinutesDownload> {
  const { meeting } = await readableMeeting(deps, actor, slug, meetingId);
  const doc = await findMinutesDocument(deps.db, meeting.id);
  if (!doc) throw notFound('Referatet er ikke godkendt og arkiveret endnu');
  return {
    fileName: minutesFileName({ startsAt: meeting.starts_at }),
    sha256: doc.sha256,
    sizeBytes: doc.sizeBytes,
    pdf: storedBytes(doc.sizeBytes, (offset, length) => readArchivedPdfSlice(deps.db, doc.id, offset, length)),
  };
}
