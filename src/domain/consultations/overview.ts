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

/**
 * The read-only overview for municipal staff: the consultations of the councils where the actor
 * is staff and of every council in the same municipalities, soonest deadline first. Everything it
 * shows comes from columns; no snapshot is read or restored.
 */
export async function staffOverview(deps: ConsultationDeps, actor: Actor, options: { limit?: number } = {}): Promise<OverviewItem[]> {
  if (!mayActorSeeOverview(actor)) throw notFound();
  const staffCouncils = actor.councils.filter((c) => c.role === 'staff');
  const municipalities = [...new Set(staffCouncils.map((c) => c.municipality).filter((m): m is string => !!m))];
  // Staff see more councils than their own: every council of their municipalities.
  const councilIds = actor.isAdmin
    ? []
    : [...new Set([...staffCouncils.map((c) => c.councilId), ...(await councilIdsInMunicipalities(deps.db, municipalities))])];
  const viewer = { userId: actor.userId, isAdmin: actor.isAdmin, councilIds };
  const rows = await listOverviewRows(deps.db, { viewer, limit: Math.min(options.limit ?? 200, 500) });
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
