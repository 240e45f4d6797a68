import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Council } from '../../db/types.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import {
  listAnsweredInPeriod,
  listAuthorityContacts,
  listMeetingsHeld,
  listOpenOfCouncil,
  listTitleWords,
  HANDOVER_LIMITS,
} from '../../db/repositories/handover.ts';
import { listCouncilRoster } from '../../db/repositories/users.ts';
import type { Logger } from '../../logger.ts';
import { FINAL_STATES } from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { STATE_LABELS } from '../consultations/labels.ts';
import { mayActorReadInternals, viewerOf } from '../consultations/policy.ts';
import { notFound } from '../errors.ts';
import { meetingLetterhead } from '../meetings/agenda-output.ts';
import { renderHandoverPdf, type HandoverPdfData } from '../pdf/handover.ts';
import { previewRenderFailure, type PdfRenderer } from '../pdf/renderer.ts';
import { publicBaseUrl } from '../public-url.ts';
import { danishDate, type Clock } from '../time.ts';
import { electionPeriodCovering, rosterOf, type CouncilRoster, type RosterEntry, type Term } from './terms.ts';

/*
 * The handover report: what a new chair, secretary or member reads first when the council changes
 * at an election. For one council and one election period: what the council answered (grouped by
 * authority and by the subject words its titles share), what is still open, the meetings held, the
 * authorities' addresses it has written to, and who sat on it. A page and a PDF in the letterhead.
 * Read by the council's secretary, chair and members and by administrators — not by municipal
 * staff, who never read the council's own deliberation (mayActorReadInternals, the one rule).
 */

export interface HandoverDeps {
  db: Db;
  clock: Clock;
  pdf: PdfRenderer;
  logger: Pick<Logger, 'error'>;
  config: Pick<Config, 'publicUrl' | 'port'>;
}

/** One submitted response of the period. */
export interface AnsweredItem {
  id: string;
  title: string;
  reference: string | null;
  authority: string;
  authorityReference: string | null;
  submittedAt: Date;
  hasLetter: boolean;
}

/** A group of answered consultations: one authority, or one subject word their titles share. */
export interface AnsweredGroup {
  label: string;
  items: AnsweredItem[];
}

/** An election period the report can cover. */
export interface PeriodChoice {
  startYear: number;
  label: string;
  selected: boolean;
}

/** Everything the handover page and PDF show. */
export interface HandoverReport {
  council: { id: number; slug: string; name: string; municipality: string | null };
  period: Term;
  /** "2022–2025" */
  periodLabel: string;
  /** True when the period's last day has passed; otherwise the report runs to today. */
  periodEnded: boolean;
  /** The period covering today and the two before it. */
  periods: PeriodChoice[];
  generatedAt: Date;
  answered: {
    total: number;
    /** True when the period held more than the report lists. */
    truncated: boolean;
    byAuthority: AnsweredGroup[];
    bySubject: AnsweredGroup[];
  };
  open: { id: string; title: string; reference: string | null; authority: string; deadline: Date; state: string; stateLabel: string }[];
  meetings: { id: number; startsAt: Date; place: string; hasMinutes: boolean }[];
  contacts: { email: string; authority: string; consultations: number; lastReceived: string }[];
  /** Who sat on the council during the period: now, before (within the period), and from later. */
  people: CouncilRoster;
}

/** How many subject words the report groups by, and how many titles must share one. */
const SUBJECTS_SHOWN = 10;
const SUBJECT_MIN_CONSULTATIONS = 2;

/**
 * Words that say what kind of paper a consultation is, not what it is about ("Høring over …",
 * "Forslag til …", "Udkast til …"): never a subject. Compared by Danish stem in the database, so
 * "høringen" and "forslaget" are left out too.
 */
export const GENRE_WORDS = [
  'høring',
  'høringsudkast',
  'forslag',
  'udkast',
  'ændring',
  'revision',
  'bekendtgørelse',
  'kommune',
  'region',
  'lovforslag',
  'vedrørende',
];

/** The election period that starts in, or covers, `year` (2024 → 2022–2025). */
export function periodOfYear(year: number): Term {
  return electionPeriodCovering(new Date(Date.UTC(year, 6, 1)));
}

/** "2022–2025" */
export function periodLabel(period: Term): string {
  return `${period.start.slice(0, 4)}–${period.end.slice(0, 4)}`;
}

/** The consultations grouped by the stems at least two of their titles share, the most shared first. */
export function groupBySubject(items: AnsweredItem[], words: { id: string; word: string; stem: string }[]): AnsweredGroup[] {
  const byStem = new Map<string, { ids: Set<string>; words: Map<string, number> }>();
  for (const { id, word, stem } of words) {
    const entry = byStem.get(stem) ?? { ids: new Set<string>(), words: new Map<string, number>() };
    entry.ids.add(id);
    entry.words.set(word, (entry.words.get(word) ?? 0) + 1);
    byStem.set(stem, entry);
  }
  return [...byStem.values()]
    .filter((entry) => entry.ids.size >= SUBJECT_MIN_CONSULTATIONS)
    .map((entry) => ({
      // The stem's most used spelling names the group; shortest, then alphabetical, on a tie.
      label: [...entry.words.entries()].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || a[0].localeCompare(b[0], 'da'))[0]![0],
      items: items.filter((item) => entry.ids.has(item.id)),
    }))
    .sort((a, b) => b.items.length - a.items.length || a.label.localeCompare(b.label, 'da'))
    .slice(0, SUBJECTS_SHOWN);
}

/** The consultations grouped by authority (as written, case aside), the most answered first, each newest first. */
export function groupByAuthority(items: AnsweredItem[]): AnsweredGroup[] {
  const groups = new Map<string, AnsweredGroup>();
  for (const item of items) {
    const key = item.authority.trim().toLocaleLowerCase('da');
    const group = groups.get(key) ?? { label: item.authority.trim(), items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((group) => ({ ...group, items: [...group.items].reverse() }))
    .sort((a, b) => b.items.length - a.items.length || a.label.localeCompare(b.label, 'da'));
}

/** Only those whose term overlaps the period. */
function rosterInPeriod(roster: CouncilRoster, period: Term): CouncilRoster {
  const overlaps = (entry: RosterEntry) => entry.termStart <= period.end && entry.termEnd >= period.start;
  return { ...roster, former: roster.former.filter(overlaps), upcoming: roster.upcoming.filter(overlaps) };
}

/**
 * The handover report of a council for the election period starting in (or covering) `year`,
 * the period covering today when none is given. NOT_FOUND for anyone who may not read the
 * council's internals, and for an unknown council alike.
 */
export async function handoverReport(deps: Pick<HandoverDeps, 'db' | 'clock'>, actor: Actor, slug: string, year?: number): Promise<HandoverReport> {
  return reportOf(deps, actor, await readableCouncil(deps.db, actor, slug), year);
}

/** The council when the actor may read its handover report; NOT_FOUND otherwise, unknown or not. */
async function readableCouncil(db: Db, actor: Actor, slug: string): Promise<Council> {
  const council = await findCouncilBySlug(db, slug);
  if (!council || !mayActorReadInternals(actor, { council_id: council.id, created_by: null })) throw notFound();
  return council;
}

async function reportOf(deps: Pick<HandoverDeps, 'db' | 'clock'>, actor: Actor, council: Council, year?: number): Promise<HandoverReport> {
  const now = deps.clock();
  const today = danishDate(now);
  const current = electionPeriodCovering(now);
  const period = year === undefined ? current : periodOfYear(year);
  const viewer = viewerOf(actor);
  const [answeredRows, openRows, meetingRows, contactRows, rosterRows] = [
    await listAnsweredInPeriod(deps.db, viewer, council.id, period),
    await listOpenOfCouncil(deps.db, viewer, council.id, FINAL_STATES),
    await listMeetingsHeld(deps.db, council.id, period, now),
    await listAuthorityContacts(deps.db, viewer, council.id),
    await listCouncilRoster(deps.db, council.id),
  ];
  const answered: AnsweredItem[] = answeredRows.map((row) => ({
    id: row.id,
    title: row.title,
    reference: row.reference,
    authority: row.authority,
    authorityReference: row.authority_reference,
    submittedAt: new Date(row.submitted_at),
    hasLetter: row.has_letter,
  }));
  const words = await listTitleWords(
    deps.db,
    answered.map((item) => item.id),
    GENRE_WORDS,
  );
  const currentStartYear = Number(current.start.slice(0, 4));
  return {
    council: { id: council.id, slug: council.slug, name: council.name, municipality: council.municipality },
    period,
    periodLabel: periodLabel(period),
    periodEnded: period.end < today,
    periods: [0, 1, 2].map((back) => {
      const choice = periodOfYear(currentStartYear - 4 * back);
      return { startYear: Number(choice.start.slice(0, 4)), label: periodLabel(choice), selected: choice.start === period.start };
    }),
    generatedAt: now,
    answered: {
      total: answered.length,
      truncated: answered.length >= HANDOVER_LIMITS.answered,
      byAuthority: groupByAuthority(answered),
      bySubject: groupBySubject(answered, words),
    },
    open: openRows.map((row) => ({
      id: row.id,
      title: row.title,
      reference: row.reference,
      authority: row.authority,
      deadline: new Date(row.deadline),
      state: row.state,
      stateLabel: STATE_LABELS[row.state] ?? row.state,
    })),
    meetings: meetingRows.map((row) => ({ id: row.id, startsAt: new Date(row.starts_at), place: row.place, hasMinutes: row.has_minutes })),
    contacts: contactRows.map((row) => ({
      email: row.email,
      authority: row.authority,
      consultations: row.consultations,
      lastReceived: String(row.last_received),
    })),
    people: rosterInPeriod(rosterOf(rosterRows), period),
  };
}

/** "overdragelse-integrationsraadet-2022-2025.pdf" */
export function handoverFileName(report: Pick<HandoverReport, 'council' | 'period'>): string {
  return `overdragelse-${report.council.slug}-${report.period.start.slice(0, 4)}-${report.period.end.slice(0, 4)}.pdf`;
}

/**
 * The handover report as a PDF in the council's letterhead, its links absolute (PUBLIC_URL).
 * A preview-priority render: TOO_MANY_REQUESTS or RENDER_FAILED (with `retryAfterSeconds`) when
 * the renderer is busy; the same NOT_FOUND as the page for those who may not read it.
 */
export async function handoverPdf(deps: HandoverDeps, actor: Actor, slug: string, year?: number): Promise<{ pdf: Buffer; fileName: string }> {
  const council = await readableCouncil(deps.db, actor, slug);
  const report = await reportOf(deps, actor, council, year);
  const data: HandoverPdfData = { report, letterhead: meetingLetterhead(council), baseUrl: publicBaseUrl(deps.config) };
  try {
    return { pdf: await renderHandoverPdf(deps.pdf, data, { priority: 'preview', owner: actor.userId }), fileName: handoverFileName(report) };
  } catch (error) {
    throw previewRenderFailure(
      error,
      deps.logger,
      { council: slug },
      {
        logMessage: 'PDF rendering of a handover report failed',
        userMessage: 'Overdragelsesrapporten kunne ikke vises som PDF lige nu. Prøv igen om lidt.',
      },
    );
  }
}
