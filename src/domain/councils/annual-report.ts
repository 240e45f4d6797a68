import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Council, Role } from '../../db/types.ts';
import {
  findAnnualReportSections,
  findPublishedAnnualReport,
  readPublishedAnnualReportSlice,
  listClosedInPeriod,
  saveAnnualReportSections,
  savePublishedAnnualReport,
} from '../../db/repositories/annual-reports.ts';
import { storedBytes } from '../../db/byte-slices.ts';
import { archiveEtag, etagMatches, type ArchivedLetterDownload } from '../archive/service.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import { listMeetingsHeld } from '../../db/repositories/handover.ts';
import { listCouncilRoster } from '../../db/repositories/users.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { mayActorReadInternals } from '../consultations/policy.ts';
import { AppError, notFound } from '../errors.ts';
import { meetingLetterhead } from '../meetings/agenda-output.ts';
import { previewRenderFailure } from '../pdf/renderer.ts';
import { danishDate } from '../time.ts';
import { parseInput } from '../validation.ts';
import { RESPONSE_OUTCOME_LABELS } from '../publication/outcome.ts';
import { noticeReportOf, type NoticeReport } from './notice.ts';
import { rosterOf, type RosterEntry } from './terms.ts';
import { LISTED_ROLES } from '../publication/council-profile.ts';
import type { HandoverDeps } from './handover.ts';
import { renderAnnualReportPdf } from '../pdf/annual-report.ts';
import { annualReportDocx } from './annual-report-docx.ts';

/*
 * The annual report (årsberetning) of a council and a year, written by itself from the case data:
 * the meetings held; the responses given, by authority, with how many were on time, late, or
 * given after an extension, and the consultations declined; how the responses were approved
 * (at a meeting, by the chair's decision, by written procedure); what came of them; how much
 * notice the council was given (the notice report, with its charts); who sat on the council; and
 * three sections the secretary writes in Markdown, kept per year. A page, a PDF in the
 * letterhead and a DOCX for councils that finish it in Word. Publishing keeps the PDF's bytes for
 * the public page. Read by those who read the council's internals (as the handover report);
 * written and published by the council's secretary or an administrator.
 */

/** The same as the handover report's: the database, the clock, the PDF renderer, the logger and the public address. */
export type AnnualReportDeps = HandoverDeps;

/** How a response was approved, as the report counts it. */
export const DECISION_LABELS = {
  meeting: 'På et møde',
  chair_decision: 'Formandsbeslutning',
  written_procedure: 'Skriftlig procedure',
  unknown: 'Ikke registreret',
} as const;
export type DecisionWay = keyof typeof DECISION_LABELS;

/** When a response reached the authority, against its deadline. */
export type Timeliness = 'on_time' | 'after_extension' | 'late';

/** One response of the year. */
export interface AnnualResponse {
  id: string;
  title: string;
  authority: string;
  submittedAt: Date;
  deadline: Date;
  timeliness: Timeliness;
  decision: DecisionWay;
  outcome: string | null;
}

/** The responses to one authority, and the year's in all. */
export interface ResponseFigures {
  label: string;
  count: number;
  onTime: number;
  afterExtension: number;
  late: number;
}

/** The sections the secretary writes, Markdown. */
export interface AnnualReportSections {
  foreword: string;
  themes: string;
  activities: string;
}

export interface AnnualReport {
  council: { id: number; slug: string; name: string; municipality: string | null };
  year: number;
  /** This year and the four before. */
  years: number[];
  /** True when the year is over; otherwise the report runs to today. */
  yearEnded: boolean;
  generatedAt: Date;
  meetings: { id: number; startsAt: Date; place: string; hasMinutes: boolean }[];
  responses: AnnualResponse[];
  byAuthority: { figures: ResponseFigures; items: AnnualResponse[] }[];
  total: ResponseFigures;
  declined: { id: string; title: string; authority: string }[];
  decisions: { way: DecisionWay; label: string; count: number }[];
  outcomes: { outcome: string; label: string; count: number }[];
  notice: NoticeReport;
  /** Who sat on the council in the year (no e-mail: a published report is public). */
  members: { name: string; role: string; title: string | null; termStart: string; termEnd: string }[];
  sections: AnnualReportSections;
  /** Whether the actor may write the sections and publish. */
  mayEdit: boolean;
  /** When the year's report was last published; null before. */
  publishedAt: Date | null;
}

/** The section form: each at most 20,000 characters. */
export const annualReportSectionsSchema = z.object({
  foreword: z.string().max(20_000, 'Højst 20.000 tegn').default(''),
  themes: z.string().max(20_000, 'Højst 20.000 tegn').default(''),
  activities: z.string().max(20_000, 'Højst 20.000 tegn').default(''),
});

function figuresOf(label: string, items: AnnualResponse[]): ResponseFigures {
  const count = (t: Timeliness) => items.filter((i) => i.timeliness === t).length;
  return { label, count: items.length, onTime: count('on_time'), afterExtension: count('after_extension'), late: count('late') };
}

/** On time when sent on or before the deadline's day; after an extension when the deadline was extended first. */
export function timelinessOf(submittedAt: Date, deadline: Date, extensions: number): Timeliness {
  if (danishDate(submittedAt) > danishDate(deadline)) return 'late';
  return extensions > 0 ? 'after_extension' : 'on_time';
}

async function councilFor(db: Db, actor: Actor, slug: string): Promise<{ council: Council; mayEdit: boolean }> {
  const council = await findCouncilBySlug(db, slug);
  if (!council || !mayActorReadInternals(actor, { council_id: council.id, created_by: null })) throw notFound();
  return { council, mayEdit: actor.isAdmin || roleIn(actor, council.id) === 'secretary' };
}

function editableCouncil(found: { council: Council; mayEdit: boolean }): Council {
  if (!found.mayEdit) throw new AppError('FORBIDDEN', 'Kun rådets sekretær skriver og offentliggør årsberetningen');
  return found.council;
}

/** The annual report of the council for `year` (this year when absent). NOT_FOUND for those who may not read the council's internals. */
export async function annualReport(deps: Pick<AnnualReportDeps, 'db' | 'clock'>, actor: Actor, slug: string, year?: number): Promise<AnnualReport> {
  const found = await councilFor(deps.db, actor, slug);
  return reportOf(deps, actor, found.council, found.mayEdit, year);
}

async function reportOf(
  deps: Pick<AnnualReportDeps, 'db' | 'clock'>,
  actor: Actor,
  council: Council,
  mayEdit: boolean,
  year?: number,
): Promise<AnnualReport> {
  const now = deps.clock();
  // The notice report picks the year (this one when none is given) and the years offered, for both.
  const notice = await noticeReportOf(deps, actor, council, year);
  const chosen = notice.year;
  const bounds = { start: `${chosen}-01-01`, end: `${chosen}-12-31` };
  const [closed, meetingRows, rosterRows, sections] = [
    await listClosedInPeriod(deps.db, council.id, bounds),
    await listMeetingsHeld(deps.db, council.id, bounds, now),
    await listCouncilRoster(deps.db, council.id),
    await findAnnualReportSections(deps.db, council.id, chosen),
  ];
  const responses: AnnualResponse[] = closed
    .filter((row) => row.state === 'submitted')
    .map((row) => ({
      id: row.id,
      title: row.title,
      authority: row.authority.trim(),
      submittedAt: new Date(row.submittedAt!),
      deadline: new Date(row.deadline),
      timeliness: timelinessOf(new Date(row.submittedAt!), new Date(row.deadline), row.extensions),
      decision: (row.approvalBasis && row.approvalBasis in DECISION_LABELS ? row.approvalBasis : 'unknown') as DecisionWay,
      outcome: row.outcome,
    }))
    .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
  const groups = new Map<string, AnnualResponse[]>();
  for (const response of responses) {
    const key = response.authority.toLocaleLowerCase('da');
    groups.set(key, [...(groups.get(key) ?? []), response]);
  }
  const overlaps = (entry: RosterEntry) => entry.termStart <= bounds.end && entry.termEnd >= bounds.start;
  const roster = rosterOf(rosterRows);
  return {
    council: { id: council.id, slug: council.slug, name: council.name, municipality: council.municipality },
    year: chosen,
    years: notice.years,
    yearEnded: chosen < notice.years[0]!,
    generatedAt: now,
    meetings: meetingRows.map((m) => ({ id: m.id, startsAt: new Date(m.starts_at), place: m.place, hasMinutes: m.has_minutes })),
    responses,
    byAuthority: [...groups.values()]
      .map((items) => ({ figures: figuresOf(items[0]!.authority, items), items }))
      .sort((a, b) => b.figures.count - a.figures.count || a.figures.label.localeCompare(b.figures.label, 'da')),
    total: figuresOf('I alt', responses),
    declined: closed.filter((row) => row.state === 'declined').map((row) => ({ id: row.id, title: row.title, authority: row.authority })),
    decisions: (Object.keys(DECISION_LABELS) as DecisionWay[])
      .map((way) => ({ way, label: DECISION_LABELS[way], count: responses.filter((r) => r.decision === way).length }))
      .filter((d) => d.count > 0 || d.way !== 'unknown'),
    outcomes: Object.entries(RESPONSE_OUTCOME_LABELS)
      .map(([outcome, label]) => ({ outcome, label, count: responses.filter((r) => r.outcome === outcome).length }))
      .filter((o) => o.count > 0),
    notice,
    // The council's own people: staff serve the municipality, not the council (as on the public page).
    members: [...roster.current, ...roster.former]
      .filter((m) => overlaps(m) && LISTED_ROLES.includes(m.role as Role))
      .map((m) => ({ name: m.name, role: m.role, title: m.title, termStart: m.termStart, termEnd: m.termEnd })),
    sections: { foreword: sections?.foreword ?? '', themes: sections?.themes ?? '', activities: sections?.activities ?? '' },
    mayEdit,
    publishedAt: sections?.publishedAt ?? null,
  };
}

/** Saves the sections the secretary writes for the year. FORBIDDEN for anyone but the council's secretary or an admin; VALIDATION_FAILED for a section too long. */
export async function saveAnnualReportText(
  deps: Pick<AnnualReportDeps, 'db' | 'clock'>,
  actor: Actor,
  slug: string,
  year: number,
  input: unknown,
): Promise<void> {
  const sections = parseInput(annualReportSectionsSchema, input);
  const council = editableCouncil(await councilFor(deps.db, actor, slug));
  await saveAnnualReportSections(deps.db, { councilId: council.id, year }, sections, { userId: actor.userId, at: deps.clock() });
}

/** "aarsberetning-integrationsraadet-2026" (without extension). */
export function annualReportFileBase(report: Pick<AnnualReport, 'council' | 'year'>): string {
  return `aarsberetning-${report.council.slug}-${report.year}`;
}

async function renderPdf(deps: AnnualReportDeps, actor: Actor, council: Council, report: AnnualReport): Promise<Buffer> {
  try {
    return await renderAnnualReportPdf(deps.pdf, { report, letterhead: meetingLetterhead(council) }, { priority: 'preview', owner: actor.userId });
  } catch (error) {
    throw previewRenderFailure(
      error,
      deps.logger,
      { council: council.slug },
      { logMessage: 'PDF rendering of an annual report failed', userMessage: 'Årsberetningen kunne ikke laves som PDF lige nu. Prøv igen om lidt.' },
    );
  }
}

/** The annual report as a PDF in the letterhead (rendered now, from today's figures). */
export async function annualReportPdf(deps: AnnualReportDeps, actor: Actor, slug: string, year?: number): Promise<{ pdf: Buffer; fileName: string }> {
  const found = await councilFor(deps.db, actor, slug);
  const report = await reportOf(deps, actor, found.council, found.mayEdit, year);
  return { pdf: await renderPdf(deps, actor, found.council, report), fileName: `${annualReportFileBase(report)}.pdf` };
}

/** The annual report as a Word document (DOCX), from today's figures. */
export async function annualReportWord(
  deps: Pick<AnnualReportDeps, 'db' | 'clock'>,
  actor: Actor,
  slug: string,
  year?: number,
): Promise<{ docx: Buffer; fileName: string }> {
  const report = await annualReport(deps, actor, slug, year);
  return { docx: await annualReportDocx(report), fileName: `${annualReportFileBase(report)}.docx` };
}

/**
 * Publishes the year's report: renders its PDF now and keeps those bytes for the public page
 * (publishing again replaces them). FORBIDDEN for anyone but the council's secretary or an admin.
 */
export async function publishAnnualReport(deps: AnnualReportDeps, actor: Actor, slug: string, year: number): Promise<void> {
  const found = await councilFor(deps.db, actor, slug);
  const council = editableCouncil(found);
  const report = await reportOf(deps, actor, council, true, year);
  const pdf = await renderPdf(deps, actor, council, report);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  await savePublishedAnnualReport(deps.db, { councilId: council.id, year }, { pdf, sha256, userId: actor.userId, at: deps.clock() });
}

/**
 * A published annual report for the public page: the bytes kept at publication, with their strong
 * ETag like an archived letter's (`pdf` null when `ifNoneMatch` names it: answer 304). NOT_FOUND
 * when the council has not published that year.
 */
export async function publishedAnnualReport(
  deps: Pick<AnnualReportDeps, 'db'>,
  slug: string,
  year: number,
  ifNoneMatch?: string,
): Promise<ArchivedLetterDownload> {
  const council = await findCouncilBySlug(deps.db, slug);
  const published = council && (await findPublishedAnnualReport(deps.db, council.id, year));
  if (!council || !published) throw notFound('Årsberetningen findes ikke');
  const etag = archiveEtag(published.sha256);
  const download = { etag, fileName: `aarsberetning-${council.slug}-${year}.pdf`, sizeBytes: Number(published.sizeBytes) };
  if (etagMatches(ifNoneMatch, etag)) return { ...download, pdf: null };
  const key = { councilId: council.id, year };
  return { ...download, pdf: storedBytes(download.sizeBytes, (offset, length) => readPublishedAnnualReportSlice(deps.db, key, offset, length)) };
}
