import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { listConsultations } from '../../domain/consultations/service.ts';
import { STATES } from '../../../workflows/consultation.machine.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { STATE_LABELS } from '../presenters/labels.ts';
import { queueQuery } from './queue.schemas.ts';

/** The start page: the user's consultations across their councils, soonest deadline first. */
export function queueRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    const actor = actorOf(res);
    const filters = queueQuery.parse(req.query);
    const page = await listConsultations(deps, actor, {
      state: filters.state && filters.state !== 'all' ? [filters.state] : undefined,
      openOnly: !filters.state,
      council: filters.council || undefined,
      q: filters.q,
      mine: filters.mine,
      dueWithinDays: filters.due === 'week' ? 7 : undefined,
      overdue: filters.due === 'overdue',
      cursor: filters.cursor,
      limit: 25,
    });
    const awaitingMyApproval = page.items.filter((c) => c.allowedEvents.includes('APPROVE'));
    const nextQuery = page.nextCursor ? new URLSearchParams({ ...stripEmpty(filters), cursor: page.nextCursor }).toString() : null;
    res.render('pages/queue', {
      title: 'Høringer',
      filters,
      items: page.items,
      awaitingMyApproval,
      nextQuery,
      councils: actor.councils,
      states: STATES.map((value) => ({ value, label: STATE_LABELS[value] })),
    });
  });
  return router;
}

function stripEmpty(filters: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (key === 'cursor') continue;
    if (value === true) out[key] = '1';
    else if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}
