import { z } from 'zod';
import type { Db, Tx } from '../../db/database.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import {
  appendAgendaItems,
  findAgendaItem,
  findConsultationItem,
  findCouncilConsultation,
  findCouncilMeeting,
  listAgendaItems,
  listAgendaKeys,
  listConsultationCandidates,
  listDecisionCandidates,
  listOpenCouncilConsultations,
  lockCouncilMeeting,
  markAgendaChanged,
  previousMeetingStart,
  removeAgendaItem,
  restoreAgendaItem,
  swapAgendaPositions,
  type AgendaItemRow,
  type NewAgendaItem,
} from '../../db/repositories/agenda.ts';
import { listMeetings } from '../../db/repositories/meetings.ts';
import { findMinutesDocument } from '../../db/repositories/minutes.ts';
import type { AgendaItemKind, AgendaItemOutcome, Council, Meeting, Role } from '../../db/types.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { mayActorReadInternals } from '../consultations/policy.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { formatDanishDate, formatDanishDateTime, type Clock } from '../time.ts';
import { optionalText, parseInput, requiredText } from '../validation.ts';

/**
 * The meeting's agenda (dagsorden). A meeting's items are stored with their order: the
 * consultations the meeting treats, the decisions taken since the last meeting that it notes
 * (chair decisions and written procedures), and free items the secretary writes. Refreshing adds
 * the candidates the agenda does not have yet at its end and never duplicates or reorders an item
 * (the unique indexes of meeting_agenda_items, and the meeting row locked while it runs).
 */

export interface AgendaDeps {
  db: Db;
  clock: Clock;
}

/** Who may read a council's agendas: its secretary, chair, members and staff (and administrators). */
const READER_ROLES: Role[] = ['secretary', 'chair', 'member', 'staff'];
/** Who prepares them: the secretary and the chair (and administrators). */
const PREPARER_ROLES: Role[] = ['secretary', 'chair'];

/** True when the actor may prepare (change) the agendas of the council. */
export function mayActorPrepareAgenda(actor: Actor, councilId: number): boolean {
  const role = roleIn(actor, councilId);
  return actor.isAdmin || (role !== undefined && PREPARER_ROLES.includes(role));
}

/** True when the actor may read the agendas of the council. */
export function mayActorReadAgenda(actor: Actor, councilId: number): boolean {
  const role = roleIn(actor, councilId);
  return actor.isAdmin || (role !== undefined && READER_ROLES.includes(role));
}

/** One item as the page, the PDF and the mail show it. */
export interface AgendaItemView {
  id: number;
  /** 1, 2, 3 … as the agenda numbers its items (not the stored position, which may have gaps). */
  number: number;
  kind: AgendaItemKind;
  title: string;
  bodyMarkdown: string;
  consultation: {
    id: string;
    title: string;
    reference: string | null;
    state: string;
    deadline: Date;
    authority: string;
    /** The latest draft, when the reader may read the council's internals (never staff); null without one. */
    draft: { number: number; bodyMarkdown: string } | null;
  } | null;
  outcome: AgendaItemOutcome | null;
  outcomeComment: string | null;
}

/** A meeting's agenda for one reader. */
export interface AgendaView {
  council: { id: number; slug: string; name: string; address: string; contact: string; agendaWorkingDays: number };
  meeting: { id: number; startsAt: Date; place: string; note: string | null; agendaSentAt: Date | null; agendaChangedAt: Date | null };
  items: AgendaItemView[];
  /** Items taken off (shown to those who prepare, so they can put them back). */
  removed: AgendaItemView[];
  /** Whether the reader may change the agenda. */
  mayPrepare: boolean;
  /** How many candidates a refresh would add now (0 for readers). */
  newCandidates: number;
  /** Open consultations of the council not on the agenda, which the secretary may put on it. */
  addableConsultations: { id: string; title: string; reference: string | null }[];
}

/** The council and its meeting, when the actor may read its agendas; NOT_FOUND for anyone else. */
export async function readableMeeting(
  deps: AgendaDeps,
  actor: Actor,
  slug: string,
  meetingId: number,
): Promise<{ council: Council; meeting: Meeting }> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !mayActorReadAgenda(actor, council.id)) throw notFound('Siden findes ikke');
  const meeting = await findCouncilMeeting(deps.db, council.id, meetingId);
  if (!meeting) throw notFound('Mødet findes ikke');
  return { council, meeting };
}

/** The council when the actor may prepare its agendas: NOT_FOUND when they may not even read it, FORBIDDEN when they only read. */
export async function preparableCouncil(deps: AgendaDeps, actor: Actor, slug: string): Promise<Council> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !mayActorReadAgenda(actor, council.id)) throw notFound('Siden findes ikke');
  if (!mayActorPrepareAgenda(actor, council.id)) throw forbidden('Kun rådets sekretær og formand kan ændre dagsordenen');
  return council;
}

/**
 * Runs `change` on a meeting's agenda in one transaction with the meeting row locked, and marks
 * the agenda changed (for the change note) when `change` says it changed something.
 */
async function changeAgenda<T>(
  deps: AgendaDeps,
  actor: Actor,
  slug: string,
  meetingId: number,
  change: (tx: Tx, meeting: Meeting, council: Council) => Promise<{ changed: boolean; result: T }>,
): Promise<T> {
  const council = await preparableCouncil(deps, actor, slug);
  return deps.db.transaction().execute(async (tx) => {
    const meeting = await lockCouncilMeeting(tx, council.id, meetingId);
    if (!meeting) throw notFound('Mødet findes ikke');
    // The archived minutes are the record of what the meeting treated: its agenda stays as they say.
    if (await findMinutesDocument(tx, meeting.id)) {
      throw new AppError('CONFLICT', 'Referatet er godkendt og arkiveret; dagsordenen kan ikke længere ændres', {
        meta: { reason: 'MINUTES_ARCHIVED' },
      });
    }
    const { changed, result } = await change(tx, meeting, council);
    if (changed) await markAgendaChanged(tx, meeting.id, deps.clock());
    return result;
  });
}

/** A Danish sentence with a written procedure's tally, from the CLOSE_WRITTEN_PROCEDURE payload. */
function tallyText(tally: unknown): string {
  const t = (tally ?? {}) as Partial<Record<'agree' | 'disagree' | 'abstain' | 'notVoted', number>>;
  return `For: ${t.agree ?? 0}, imod: ${t.disagree ?? 0}, hverken for eller imod: ${t.abstain ?? 0}, stemte ikke: ${t.notVoted ?? 0}.`;
}

/** The note item for one decision (a chair decision or a closed written procedure). */
function noteItemFor(decision: Awaited<ReturnType<typeof listDecisionCandidates>>[number]): NewAgendaItem {
  const payload = (decision.payload ?? {}) as { outcome?: string; tally?: unknown };
  if (decision.type === 'APPROVE') {
    const who = decision.actorName ? `Formanden (${decision.actorName})` : 'Formanden';
    return {
      kind: 'note',
      consultationId: decision.consultationId,
      sourceEventId: Number(decision.id),
      title: `Orientering om formandsbeslutning: ${decision.title}`,
      bodyMarkdown: `${who} godkendte rådets høringssvar ved formandsbeslutning ${formatDanishDateTime(decision.at)}.`,
    };
  }
  const outcome =
    payload.outcome === 'approved'
      ? 'Høringssvaret blev godkendt.'
      : payload.outcome === 'not_approved'
        ? 'Høringssvaret blev ikke godkendt og gik tilbage til udkast.'
        : 'Proceduren blev afsluttet.';
  return {
    kind: 'note',
    consultationId: decision.consultationId,
    sourceEventId: Number(decision.id),
    title: `Orientering om skriftlig procedure: ${decision.title}`,
    bodyMarkdown: `Den skriftlige procedure sluttede ${formatDanishDateTime(decision.at)}. ${outcome} ${tallyText(payload.tally)}`,
  };
}

/** The candidates for a meeting's agenda that it does not have yet (also not as an item taken off). */
async function missingCandidates(tx: Db | Tx, meeting: Meeting): Promise<NewAgendaItem[]> {
  const [keys, consultations, since] = await Promise.all([
    listAgendaKeys(tx, meeting.id),
    listConsultationCandidates(tx, meeting.council_id, meeting.starts_at),
    previousMeetingStart(tx, meeting.council_id, meeting.starts_at),
  ]);
  const decisions = await listDecisionCandidates(tx, meeting.council_id, since, meeting.starts_at);
  return [
    ...decisions.filter((d) => !keys.eventIds.has(Number(d.id))).map(noteItemFor),
    ...consultations
      .filter((c) => !keys.consultationIds.has(c.id))
      .map((c): NewAgendaItem => ({ kind: 'consultation', consultationId: c.id, title: c.title })),
  ];
}

/**
 * Builds or refreshes a meeting's agenda inside `tx`, with the meeting row locked by the caller:
 * adds, at the end, the decisions to note (first) and the consultations to treat that it lacks.
 * Items already on it (or taken off it) keep their place; nothing is added once the meeting has
 * begun. Returns how many items were added. The one place the agenda's candidates are chosen.
 */
export async function refreshMeetingAgenda(tx: Tx, meeting: Meeting, now: Date): Promise<number> {
  if (meeting.starts_at.getTime() <= now.getTime()) return 0;
  return appendAgendaItems(tx, meeting.id, await missingCandidates(tx, meeting));
}

/** Refreshes a meeting's agenda for the secretary or chair (see {@link refreshMeetingAgenda}); returns how many items were added. */
export function refreshAgenda(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number): Promise<number> {
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting) => {
    const added = await refreshMeetingAgenda(tx, meeting, deps.clock());
    return { changed: added > 0, result: added };
  });
}

function itemView(row: AgendaItemRow, number: number, actor: Actor | null): AgendaItemView {
  const consultation =
    row.consultation_id && row.consultationTitle !== null
      ? {
          id: row.consultation_id,
          title: row.consultationTitle,
          reference: row.consultationReference,
          state: row.consultationState!,
          deadline: row.consultationDeadline!,
          authority: row.consultationAuthority!,
          draft:
            row.draftBody !== null &&
            row.kind === 'consultation' &&
            (actor === null || mayActorReadInternals(actor, { council_id: row.consultationCouncilId, created_by: row.consultationCreatedBy }))
              ? { number: Number(row.draftNumber), bodyMarkdown: row.draftBody }
              : null,
        }
      : null;
  return {
    id: row.id,
    number,
    kind: row.kind,
    title: row.kind === 'consultation' && consultation ? consultation.title : row.title,
    bodyMarkdown: row.body_markdown,
    consultation,
    outcome: row.outcome,
    outcomeComment: row.outcome_comment,
  };
}

/**
 * A meeting's agenda as `actor` sees it (null: as the members get it by mail, drafts included).
 * Read-only: shows how many new candidates a refresh would add, without adding them.
 */
export async function agendaView(db: Db | Tx, council: Council, meeting: Meeting, actor: Actor | null): Promise<AgendaView> {
  const mayPrepare = actor !== null && mayActorPrepareAgenda(actor, council.id);
  const rows = await listAgendaItems(db, meeting.id, { includeRemoved: mayPrepare });
  const live = rows.filter((r) => r.removed_at === null);
  const candidates = mayPrepare ? await missingCandidates(db, meeting) : [];
  const onAgenda = new Set(live.filter((r) => r.kind === 'consultation').map((r) => r.consultation_id));
  const addable = mayPrepare ? await listOpenCouncilConsultations(db, council.id) : [];
  return {
    council: {
      id: council.id,
      slug: council.slug,
      name: council.name,
      address: council.letterhead_address,
      contact: council.letterhead_contact,
      agendaWorkingDays: council.agenda_working_days,
    },
    meeting: {
      id: meeting.id,
      startsAt: meeting.starts_at,
      place: meeting.place,
      note: meeting.note,
      agendaSentAt: meeting.agenda_sent_at,
      agendaChangedAt: meeting.agenda_changed_at,
    },
    items: live.map((row, i) => itemView(row, i + 1, actor)),
    removed: rows.filter((r) => r.removed_at !== null).map((row) => itemView(row, 0, actor)),
    mayPrepare,
    newCandidates: candidates.length,
    addableConsultations: addable.filter((c) => !onAgenda.has(c.id)),
  };
}

/** A meeting's agenda for a reader of the council; NOT_FOUND for anyone else. */
export async function getAgenda(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number): Promise<AgendaView> {
  const { council, meeting } = await readableMeeting(deps, actor, slug, meetingId);
  return agendaView(deps.db, council, meeting, actor);
}

const freeItemForm = z.object({
  title: requiredText(200, 'Skriv en overskrift til punktet'),
  body: optionalText(20_000),
});

/** Adds a free item (title and Markdown text) at the end of the agenda. */
export function addFreeItem(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number, input: unknown): Promise<void> {
  const values = parseInput(freeItemForm, input);
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting) => {
    await appendAgendaItems(tx, meeting.id, [{ kind: 'free', title: values.title, bodyMarkdown: values.body ?? '', createdBy: actor.userId }]);
    return { changed: true, result: undefined };
  });
}

const consultationItemForm = z.object({ consultationId: z.uuid('Vælg en høring') });

/**
 * Puts one of the council's consultations on the agenda (at the end); one taken off earlier comes
 * back at the end. A consultation already on it stays where it is.
 */
export function addConsultationItem(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number, input: unknown): Promise<void> {
  const { consultationId } = parseInput(consultationItemForm, input);
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting, council) => {
    const consultation = await findCouncilConsultation(tx, council.id, consultationId);
    if (!consultation) {
      throw new AppError('VALIDATION_FAILED', 'Høringen findes ikke i rådet', {
        details: [{ path: 'consultationId', message: 'Vælg en af rådets høringer' }],
      });
    }
    const existing = await findConsultationItem(tx, meeting.id, consultation.id);
    if (existing) return { changed: existing.removed_at !== null && (await restoreAgendaItem(tx, meeting.id, existing.id)), result: undefined };
    const added = await appendAgendaItems(tx, meeting.id, [
      { kind: 'consultation', consultationId: consultation.id, title: consultation.title, createdBy: actor.userId },
    ]);
    return { changed: added > 0, result: undefined };
  });
}

/** Moves an item one place up or down; at the top (or bottom) it stays where it is. */
export function moveItem(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number, itemId: number, direction: 'up' | 'down'): Promise<void> {
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting) => {
    const items = await listAgendaItems(tx, meeting.id);
    const index = items.findIndex((i) => i.id === itemId);
    if (index < 0) throw notFound('Punktet findes ikke');
    const other = items[direction === 'up' ? index - 1 : index + 1];
    if (!other) return { changed: false, result: undefined };
    await swapAgendaPositions(tx, items[index]!, other);
    return { changed: true, result: undefined };
  });
}

/** Takes an item off the agenda; a refresh does not bring it back, the secretary can. */
export function removeItem(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number, itemId: number): Promise<void> {
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting) => {
    if (!(await findAgendaItem(tx, meeting.id, itemId))) throw notFound('Punktet findes ikke');
    return { changed: await removeAgendaItem(tx, meeting.id, itemId, deps.clock()), result: undefined };
  });
}

/** Puts an item taken off back on the agenda, at the end. */
export function restoreItem(deps: AgendaDeps, actor: Actor, slug: string, meetingId: number, itemId: number): Promise<void> {
  return changeAgenda(deps, actor, slug, meetingId, async (tx, meeting) => {
    if (!(await findAgendaItem(tx, meeting.id, itemId))) throw notFound('Punktet findes ikke');
    return { changed: await restoreAgendaItem(tx, meeting.id, itemId), result: undefined };
  });
}

/** "Dagsorden for mødet 12. marts 2026, kl. 17.00" */
export function agendaTitle(meeting: { startsAt: Date }): string {
  return `Dagsorden for mødet ${formatDanishDateTime(meeting.startsAt)}`;
}

/** The date part of {@link agendaTitle}, for file names and subjects. */
export function agendaDate(meeting: { startsAt: Date }): string {
  return formatDanishDate(meeting.startsAt);
}

/** A council's meetings with links to their agendas: for every reader of the council. */
export interface AgendaIndex {
  council: { slug: string; name: string };
  mayPrepare: boolean;
  upcoming: Meeting[];
  past: Meeting[];
}

/** How many held meetings the index lists, newest first. */
const PAST_AGENDAS_SHOWN = 10;

/** The council's meetings, upcoming first, for a reader of its agendas; NOT_FOUND for anyone else. */
export async function listAgendas(deps: AgendaDeps, actor: Actor, slug: string): Promise<AgendaIndex> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !mayActorReadAgenda(actor, council.id)) throw notFound('Siden findes ikke');
  const now = deps.clock().getTime();
  const meetings = await listMeetings(deps.db, council.id);
  return {
    council: { slug: council.slug, name: council.name },
    mayPrepare: mayActorPrepareAgenda(actor, council.id),
    upcoming: meetings.filter((m) => m.starts_at.getTime() >= now),
    past: meetings
      .filter((m) => m.starts_at.getTime() < now)
      .reverse()
      .slice(0, PAST_AGENDAS_SHOWN),
  };
}
