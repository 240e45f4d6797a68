import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from './types.ts';

/** Who is looking, as the database needs it: the user, whether they administer, their councils. */
export interface Viewer {
  userId: number;
  isAdmin: boolean;
  councilIds: readonly number[];
}

/**
 * The SQL of who may see a consultation, the same rule as mayActorSee
 * (src/domain/consultations/policy.ts): administrators see every consultation; others those of
 * their councils and the unassigned ones they registered. Every list of consultations filters
 * with this one expression.
 */
export function visibleTo(eb: ExpressionBuilder<Database, 'consultations'>, viewer: Viewer): Expression<SqlBool> {
  if (viewer.isAdmin) return eb.val(true);
  const own = eb.and([eb('consultations.council_id', 'is', null), eb('consultations.created_by', '=', viewer.userId)]);
  return viewer.councilIds.length > 0 ? eb.or([eb('consultations.council_id', 'in', [...viewer.councilIds]), own]) : own;
}

/** The parts of the table a viewer sees: one per council, and their own unassigned ones; undefined for administrators. */
export function partitionsOf(viewer: Viewer): Partition[] | undefined {
  if (viewer.isAdmin) return undefined;
  return [...viewer.councilIds.map((councilId) => ({ councilId })), { createdBy: viewer.userId }];
}

/** The consultations of one council, or the unassigned ones one user registered. */
export type Partition = { councilId: number } | { createdBy: number };
