import type { Role } from '../../db/types.ts';
import type { UserEventType } from '../../../workflows/consultation.machine.ts';
import { roleIn, type Actor } from '../access/actor.ts';

/**
 * Which roles may send which event. The machine decides whether an event can happen in the
 * current state; this table decides who may send it. Staff and members never change state.
 */
export const EVENT_ROLES: Record<UserEventType, { roles: Role[]; admin: boolean }> = {
  ASSIGN: { roles: ['secretary'], admin: true },
  START_DRAFTING: { roles: ['secretary'], admin: false },
  SUBMIT_FOR_APPROVAL: { roles: ['secretary'], admin: false },
  REQUEST_CHANGES: { roles: ['chair'], admin: false },
  APPROVE: { roles: ['chair'], admin: false },
  SUBMIT: { roles: ['secretary', 'chair'], admin: false },
  DECLINE: { roles: ['chair'], admin: false },
  WITHDRAW: { roles: ['secretary'], admin: true },
  EXTEND_DEADLINE: { roles: ['secretary'], admin: false },
};

/** Roles that may write drafts. */
export const DRAFT_ROLES: Role[] = ['secretary'];

/** True when the actor's role (in `councilId`) lets them send `type`. */
export function mayActorSend(actor: Actor, type: UserEventType, councilId: number | null): boolean {
  const rule = EVENT_ROLES[type];
  if (rule.admin && actor.isAdmin) return true;
  const role = roleIn(actor, councilId);
  return role !== undefined && rule.roles.includes(role);
}

/** True when the actor may write drafts for a council's consultation. */
export function mayActorDraft(actor: Actor, councilId: number | null): boolean {
  const role = roleIn(actor, councilId);
  return role !== undefined && DRAFT_ROLES.includes(role);
}

/**
 * True when the actor may see a consultation: admins see all; members of its council see it;
 * an unassigned one is seen by whoever registered it.
 */
export function mayActorSee(actor: Actor, consultation: { council_id: number | null; created_by: number | null }): boolean {
  if (actor.isAdmin) return true;
  if (consultation.council_id === null) return consultation.created_by === actor.userId;
  return roleIn(actor, consultation.council_id) !== undefined;
}

/** True when the actor may register consultations at all (admins and secretaries). */
export function mayActorRegister(actor: Actor): boolean {
  return actor.isAdmin || actor.councils.some((c) => c.role === 'secretary');
}
