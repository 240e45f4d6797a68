import type { Role } from '../../db/types.ts';
import type { Viewer } from '../../db/visibility.ts';
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
  START_WRITTEN_PROCEDURE: { roles: ['secretary', 'chair'], admin: false },
  CANCEL_WRITTEN_PROCEDURE: { roles: ['secretary', 'chair'], admin: false },
};

/**
 * Who may send the decision a meeting's minutes record (APPROVE with basis `meeting`, or
 * REQUEST_CHANGES): the council decided at its meeting, and writing that down is the secretary's
 * job as much as the chair's. Only the minutes send with this rule
 * (sendMeetingDecisionInTransaction); every other APPROVE and REQUEST_CHANGES stays the chair's.
 */
export const MEETING_DECISION_ROLES: Role[] = ['secretary', 'chair'];

/**
 * True when the actor may send `type` as a meeting's recorded decision: only APPROVE and
 * REQUEST_CHANGES, by the council's secretary or chair, or an administrator (who may prepare
 * every council's agendas and minutes).
 */
export function mayActorRecordMeetingDecision(actor: Actor, type: UserEventType, councilId: number | null): boolean {
  if (type !== 'APPROVE' && type !== 'REQUEST_CHANGES') return false;
  if (actor.isAdmin) return true;
  const role = roleIn(actor, councilId);
  return role !== undefined && MEETING_DECISION_ROLES.includes(role);
}

/** Who decides whether a council's response is on its public page: its secretary and chair. */
export const PUBLICATION_ROLES: Role[] = ['secretary', 'chair'];

/** True when the actor may mark a response "ikke offentlig", or take it off or put it back on the public page. */
export function mayActorPublish(actor: Actor, councilId: number | null): boolean {
  if (actor.isAdmin) return true;
  const role = roleIn(actor, councilId);
  return role !== undefined && PUBLICATION_ROLES.includes(role);
}

/** Who votes in a council's written procedures: its chair and members (not the secretary, not staff). */
export const VOTER_ROLES: Role[] = ['chair', 'member'];

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

/** The actor as the database's visibility rule needs it (visibleTo in src/db/visibility.ts, the SQL of mayActorSee). */
export function viewerOf(actor: Actor): Viewer {
  return { userId: actor.userId, isAdmin: actor.isAdmin, councilIds: actor.councils.map((c) => c.councilId) };
}

/** True when the actor may register consultations at all (admins and secretaries). */
export function mayActorRegister(actor: Actor): boolean {
  return actor.isAdmin || actor.councils.some((c) => c.role === 'secretary');
}

/**
 * Roles that take part in a council's own deliberation. Municipal staff are left out on purpose:
 * the municipality is often the very authority the council answers, so staff see the facts, the
 * state, the deadline, the timeline of states and the submitted letter, never what the council
 * wrote or said on the way there.
 */
const INTERNAL_ROLES: Role[] = ['secretary', 'chair', 'member'];

/**
 * True when the actor may read a consultation's internals: its drafts with their versions and
 * diffs, comments, the draft preview PDF, the chair's comments when sending a draft back. The one
 * rule every page, API answer and PDF route asks: admins and the council's secretary, chair and
 * members; never staff, never another council. An unassigned consultation (which has no
 * internals yet) is read whole by whoever registered it, as mayActorSee lets them see it.
 */
export function mayActorReadInternals(actor: Actor, consultation: { council_id: number | null; created_by: number | null }): boolean {
  if (actor.isAdmin) return true;
  if (consultation.council_id === null) return consultation.created_by === actor.userId;
  const role = roleIn(actor, consultation.council_id);
  return role !== undefined && INTERNAL_ROLES.includes(role);
}

// Events that leave the state as it was but are facts outsiders may know: a new deadline,
// whether the letter reached the authority, whether the response is public and what came of it. Every other such event (a saved draft) is internal.
const PUBLIC_EVENTS_WITHOUT_STATE_CHANGE = new Set([
  'EXTEND_DEADLINE',
  'MAIL_DELIVERED',
  'MAIL_FAILED',
  'PUBLISHED',
  'UNPUBLISHED',
  'OUTCOME_RECORDED',
]);

// Events whose reason or note is meant for the authority: declining, a withdrawal, an extension.
// The chair's comments when sending a draft back (REQUEST_CHANGES) are the council's own.
const EVENTS_WITH_PUBLIC_COMMENT = new Set(['DECLINE', 'WITHDRAW', 'EXTEND_DEADLINE']);

/**
 * How one timeline entry shows to an actor who may not read the council's internals: `hidden`
 * for an entry that tells of the drafting (a saved version), `withoutComment` for a state change
 * whose comment is internal, `whole` for the rest.
 */
export function timelineEntryForOutsiders(entry: { type: string; from: string | null; to: string | null }): 'hidden' | 'withoutComment' | 'whole' {
  const changesState = entry.from !== entry.to;
  if (!changesState && !PUBLIC_EVENTS_WITHOUT_STATE_CHANGE.has(entry.type)) return 'hidden';
  return EVENTS_WITH_PUBLIC_COMMENT.has(entry.type) ? 'whole' : 'withoutComment';
}
