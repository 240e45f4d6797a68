import { AppError } from '../errors.ts';
import type { Actor } from './actor.ts';

/**
 * Administration is for administrators only. Everyone else gets the same 404 as for a page that
 * does not exist, so the administration does not reveal itself. Every admin service calls this
 * first, whatever the route already checked.
 */
export function assertAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError('NOT_FOUND', 'Siden findes ikke');
}
