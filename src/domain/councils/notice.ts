import { stringify } from 'csv-stringify/sync';
import type { Db } from '../../db/database.ts';
import type { Council } from '../../db/types.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import { listNoticeRows, NOTICE_LIMIT } from '../../db/repositories/notice.ts';
import type { Actor } from '../access/actor.ts';
import { mayActorSee, viewerOf } from '../consultations/policy.ts';
import { workingDaysBetween } from '../deadlines/status.ts';
import { notFound } from '../errors.ts';
import { danishDate, formatDanishDate, type Clock } from '../time.ts';

/*
 * How late the council is consulted: for the consultations it received in a year, the notice the
 * authority gave (from the day received to the deadline it first set, before any extension), the
 * share under four weeks (the common Danish norm for a consultation period), the share whose
 * deadline fell before the council's next meeting (so the council could not treat it at a
 * meeting), and the extensions recorded. Per authority and in all. The evidence a council brings
 * to its talks with the municipality, so the municipality's staff on the council read it too.
 */

/** Four weeks, in calendar days: the usual minimum consultation period. */
export const FOUR_WEEKS_DAYS = 28;
/** Four weeks in working days, the line the chart draws. */
export const FOUR_WEEKS_WORKING_DAYS = 20;

/** One consultation's figures. */
export interface NoticeItem {
  id: string;
  title: string;
  authority: string;
  /** YYYY-MM-DD */
  receivedAt: string;
  /** The deadline the authority first gave. */
  givenDeadline: Date;
  /** Working days from the day received to the deadline's day (Danish holidays off). */
  noticeWorkingDays: number;
  /** Calendar days from the day received to the deadline's day. */
  noticeDays: number;
  underFourWeeks: boolean;
  /** Whether the deadline fell before the council's next meeting; null when no meeting after it was known. */
  beforeNextMeeting: boolean | null;
  extensions: number;
}

/** The figures of a group of consultations (one authority, or all). */
export interface NoticeFigures {
  label: string;
  count: number;
  /** Median notice in working days; null for no consultations. */
  medianWorkingDays: number | null;
  underFourWeeks: number;
  /** Of those with a known next meeting, how many had their deadline before it. */
  beforeNextMeeting: number;
  meetingKnown: number;
  /** Consultations with at least one extension recorded. */
  extended: number;
}

export interface NoticeReport {
  council: { id: number; slug: string; name: string };
  year: number;
  /** The years offered: this one and the four before. */
  years: number[];
  items: NoticeItem[];
  truncated: boolean;
  /** By authority, the most consultations first. */
  byAuthority: NoticeFigures[];
  total: NoticeFigures;
  /** Consultations received per month of the year (1–12). */
  byMonth: { month: number; count: number }[];
}

/** The calendar days between two YYYY-MM-DD dates. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The figures of `items`, named `label`. */
export function figuresOf(label: string, items: NoticeItem[]): NoticeFigures {
  return {
    label,
    count: items.length,
    medianWorkingDays: median(items.map((i) => i.noticeWorkingDays)),
    underFourWeeks: items.filter((i) => i.underFourWeeks).length,
    beforeNextMeeting: items.filter((i) => i.beforeNextMeeting === true).length,
    meetingKnown: items.filter((i) => i.beforeNextMeeting !== null).length,
    extended: items.filter((i) => i.extensions > 0).length,
  };
}

/** One consultation's figures from its row. */
export function noticeItem(row: {
  id: string;
  title: string;
  authority: string;
  received_at: string;
  given_deadline: Date;
  extensions: number;
  next_meeting: Date | null;
}): NoticeItem {
  const given = new Date(row.given_deadline);
  const deadlineDay = danishDate(given);
  const noticeDays = daysBetween(row.received_at, deadlineDay);
  return {
    id: row.id,
    title: row.title,
    authority: row.authority.trim(),
    receivedAt: row.received_at,
    givenDeadline: given,
    noticeWorkingDays: workingDaysBetween(row.received_at, deadlineDay),
    noticeDays,
    underFourWeeks: noticeDays < FOUR_WEEKS_DAYS,
    beforeNextMeeting: row.next_meeting ? given.getTime() < new Date(row.next_meeting).getTime() : null,
    extensions: row.extensions,
  };
}

/**
 * The notice figures of a council for the consultations received in `year` (this year by
 * default): for anyone who sees the council's consultations (its people, staff included, and
 * administrators); NOT_FOUND for everyone else and for an unknown council alike.
 */
export async function noticeReport(deps: { db: Db; clock: Clock }, actor: Actor, slug: string, year?: number): Promise<NoticeReport> {
  const council = await findCouncilBySlug(deps.db, slug);
  if (!council || !mayActorSee(actor, { council_id: council.id, created_by: null })) throw notFound();
  return noticeReportOf(deps, actor, council, year);
}

/** The notice figures of a council the caller has already found and checked the actor may see (the annual report). */
export async function noticeReportOf(
  deps: { db: Db; clock: Clock },
  actor: Actor,
  council: Pick<Council, 'id' | 'slug' | 'name'>,
  year?: number,
): Promise<NoticeReport> {
  const thisYear = Number(danishDate(deps.clock()).slice(0, 4));
  const chosen = year ?? thisYear;
  const rows = await listNoticeRows(deps.db, viewerOf(actor), council.id, `${chosen}-01-01`, `${chosen}-12-31`);
  const items = rows.map(noticeItem);
  const groups = new Map<string, NoticeItem[]>();
  for (const item of items) {
    const key = item.authority.toLocaleLowerCase('da');
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return {
    council: { id: council.id, slug: council.slug, name: council.name },
    year: chosen,
    years: [0, 1, 2, 3, 4].map((back) => thisYear - back),
    items,
    truncated: rows.length >= NOTICE_LIMIT,
    byAuthority: [...groups.values()]
      .map((group) => figuresOf(group[0]!.authority, group))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'da')),
    total: figuresOf('Alle myndigheder', items),
    byMonth: Array.from({ length: 12 }, (_, i) => ({
      month: i + 1,
      count: items.filter((item) => Number(item.receivedAt.slice(5, 7)) === i + 1).length,
    })),
  };
}

/** "varsel-naestved-2026.csv" */
export function noticeCsvFileName(report: Pick<NoticeReport, 'council' | 'year'>): string {
  return `varsel-${report.council.slug}-${report.year}.csv`;
}

/**
 * The report's consultations as CSV for a spreadsheet: semicolons and a byte-order mark, as
 * Danish Excel reads them; a cell that a spreadsheet would take for a formula (= + - @ …) is
 * quoted with an apostrophe first, so an authority's text never runs as one.
 */
export function noticeCsv(report: NoticeReport): string {
  const cell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  const yesNo = (value: boolean | null) => (value === null ? 'ukendt' : value ? 'ja' : 'nej');
  const rows = report.items.map((item) => [
    cell(item.title),
    cell(item.authority),
    formatDanishDate(item.receivedAt),
    formatDanishDate(item.givenDeadline),
    String(item.noticeWorkingDays),
    String(item.noticeDays),
    yesNo(item.underFourWeeks),
    yesNo(item.beforeNextMeeting),
    String(item.extensions),
  ]);
  return stringify(rows, {
    bom: true,
    delimiter: ';',
    record_delimiter: 'windows',
    header: true,
    columns: [
      'Høring',
      'Myndighed',
      'Modtaget',
      'Frist (som givet)',
      'Varsel i arbejdsdage',
      'Varsel i dage',
      'Under 4 uger',
      'Frist før næste møde',
      'Fristforlængelser',
    ],
  });
}
