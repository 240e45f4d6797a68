import { councilIdsInMunicipalities } from '../../db/repositories/consultation-extras.ts';
import { listOverviewRows } from '../../db/repositories/overview.ts';
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
export async function staffOverview(
  deps: ConsultationDeps,
  actor: Actor,
  options: { openLimit?: number; finishedLimit?: number } = {},
): Promise<OverviewItem[]> {
  if (!mayActorSeeOverview(actor)) throw notFound();
  const staffCouncils = actor.councils.filter((c) => c.role === 'staff');
  const municipalities = [...new Set(staffCouncils.map((c) => c.municipality).filter((m): m is string => !!m))];
  // Staff see more councils than their own: every council of their municipalities.
  const councilIds = actor.isAdmin
    ? []
    : [...new Set([...staffCouncils.map((c) => c.councilId), ...(await councilIdsInMunicipalities(deps.db, municipalities))])];
  const viewer = { userId: actor.userId, isAdmin: actor.isAdmin, councilIds };
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
