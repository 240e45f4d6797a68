import { councilIdsInMunicipalities } from '../../db/repositories/consultation-extras.ts';
import { listOverviewRows } from '../../db/repositories/overview.ts';
import { findCouncilsByIds } from '../../db/repositories/councils.ts';
import { listNoticeRows } from '../../db/repositories/notice.ts';
import type { Viewer } from '../../db/visibility.ts';
import { figuresOf, noticeItem, type NoticeFigures } from '../councils/notice.ts';
import { danishDate } from '../time.ts';
import { type ConsultationState } from '../../../workflows/consultation.machine.ts';
import type { Actor } from '../access/actor.ts';
import { consultationDeadline, type DeadlineStatus } from '../deadlines/status.ts';
import { notFound } from '../errors.ts';
import type { ConsultationDeps } from './service.ts';

/** One line of the municipal staff overview: public facts only, no draft. */
export interface OverviewItem {
  title: string;
  authority: string;
  reference: string | null;
  councilName: string | null;
  state: ConsultationState;
  deadline: Date;
  daysLeft: number;
  /** Working days left to the deadline (DeadlineCount); null once closed or overdue. */
  workingDaysLeft: number | null;
  deadlineStatus: DeadlineStatus;
  submittedAt: string | null;
}

/** True when the actor has the overview: municipal staff on some council, and admins. */
export function mayActorSeeOverview(actor: Actor): boolean {
  return actor.isAdmin || actor.councils.some((c) => c.role === 'staff');
}

/** At most this many open consultations on the overview, soonest deadline first. */
export const OVERVIEW_OPEN_LIMIT = 200;
/** At most this many finished consultations after them, most recently finished first. */
export const OVERVIEW_FINISHED_LIMIT = 50;

/**
 * The read-only overview for municipal staff: the consultations of the councils where the actor
 * is staff and of every council in the same municipalities. The open ones come first, soonest
 * deadline first, then the most recently finished ones, each part bounded, so years of finished
 * consultations never push a new one off the page. Everything it shows comes from columns; no
 * snapshot is read or restored.
 */
/** Who the overview reads as: staff see more councils than their own, every council of their municipalities. */
async function overviewViewer(deps: Pick<ConsultationDeps, 'db'>, actor: Actor): Promise<Viewer> {
  const staffCouncils = actor.councils.filter((c) => c.role === 'staff');
  const municipalities = [...new Set(staffCouncils.map((c) => c.municipality).filter((m): m is string => !!m))];
  const councilIds = actor.isAdmin
    ? []
    : [...new Set([...staffCouncils.map((c) => c.councilId), ...(await councilIdsInMunicipalities(deps.db, municipalities))])];
  return { userId: actor.userId, isAdmin: actor.isAdmin, councilIds };
}

/** The notice figures of one council of the overview, for this year (see src/domain/councils/notice.ts). */
export interface OverviewNoticeRow {
  councilName: string;
  figures: NoticeFigures;
}

/**
 * The overview page: the consultations (staffOverview) and, per council the actor follows as
 * staff or shares a municipality with, how much notice it was given this year — the row per
 * council of the notice figures. Administrators, who see every council, get no rows (their
 * councils are hundreds; each council's own page has them).
 */
export async function staffOverviewPage(
  deps: ConsultationDeps,
  actor: Actor,
): Promise<{ items: OverviewItem[]; notice: OverviewNoticeRow[]; year: number }> {
  if (!mayActorSeeOverview(actor)) throw notFound();
  const viewer = await overviewViewer(deps, actor);
  const items = await overviewItems(deps, viewer);
  const year = Number(danishDate(deps.clock()).slice(0, 4));
  const notice: OverviewNoticeRow[] = [];
  for (const council of await findCouncilsByIds(deps.db, viewer.councilIds)) {
    const rows = await listNoticeRows(deps.db, viewer, council.id, `${year}-01-01`, `${year}-12-31`);
    notice.push({ councilName: council.name, figures: figuresOf(council.name, rows.map(noticeItem)) });
  }
  return { items, notice, year };
}

export async function staffOverview(
  deps: ConsultationDeps,
  actor: Actor,
  options: { openLimit?: number; finishedLimit?: number } = {},
): Promise<OverviewItem[]> {
  if (!mayActorSeeOverview(actor)) throw notFound();
  return overviewItems(deps, await overviewViewer(deps, actor), options);
}

/** The overview's consultations as `viewer` sees them: the open ones, soonest deadline first, then the latest finished. */
async function overviewItems(
  deps: ConsultationDeps,
  viewer: Viewer,
  options: { openLimit?: number; finishedLimit?: number } = {},
): Promise<OverviewItem[]> {
  // One after the other, not in parallel: a request holds one pooled connection at a time.
  const open = await listOverviewRows(deps.db, { viewer, part: 'open', limit: Math.min(options.openLimit ?? OVERVIEW_OPEN_LIMIT, 500) });
  const finished = await listOverviewRows(deps.db, {
    viewer,
    part: 'finished',
    limit: Math.min(options.finishedLimit ?? OVERVIEW_FINISHED_LIMIT, 500),
  });
  const rows = [...open, ...finished];
  const now = deps.clock();
  return rows.map((row) => {
    const state = row.state as ConsultationState;
    return {
      title: row.title,
      authority: row.authority,
      reference: row.reference,
      councilName: row.councilName,
      state,
      deadline: row.deadline,
      ...consultationDeadline(row, now),
      submittedAt: row.submittedAt ?? null,
    };
  });
}
