import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { loadQueue } from '../../domain/consultations/queue.ts';
import { STATES } from '../../../workflows/consultation.machine.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { STATE_LABELS } from '../presenters/labels.ts';
import { MAX_SEARCH_CHARS, queueQuery, type QueueQuery } from './queue.schemas.ts';

const STATE_OPTIONS = STATES.map((value) => ({ value, label: STATE_LABELS[value] }));

/** The start page: the user's consultations across their councils, soonest deadline first. */
export function queueRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    const actor = actorOf(res);
    const filters = queueQuery.parse(req.query);
    // A search that was typed but cannot be used is shown again with a message, not silently dropped.
    const typedSearch = typeof req.query.q === 'string' && req.query.q.trim() && filters.q === undefined ? req.query.q : undefined;
    const page = await loadQueue(deps, actor, { ...filters, due: filters.due || undefined, council: filters.council || undefined });
    const base = filterParams(filters);
    const link = (extra: Record<string, string>) => `/?${new URLSearchParams({ ...base, ...extra }).toString()}`;
    res.render('pages/queue', {
      title: 'Høringer',
      filters,
      typedSearch,
      searchError: typedSearch === undefined ? undefined : `Søgningen er ikke brugt: højst ${MAX_SEARCH_CHARS} tegn og ingen kontroltegn`,
      items: page.items,
      total: page.total,
      totalText: page.totalIsLowerBound ? `over ${page.total.toLocaleString('da-DK')}` : String(page.total),
      awaitingMyApproval: page.awaitingApproval,
      suggestions: page.arrivals.suggestions,
      failedMails: page.arrivals.failedMails,
      decided: decidedNotice(req.query.suggestion),
      nextLink: page.nextCursor ? link({ after: page.nextCursor }) : null,
      prevLink: page.prevCursor ? link({ before: page.prevCursor }) : null,
      firstLink: page.paged ? link({}) : null,
      councils: actor.councils,
      states: STATE_OPTIONS,
    });
  });
  return router;
}

/** The notice after a suggestion was dismissed (accepting one opens the new consultation instead). */
function decidedNotice(value: unknown): string | undefined {
  return value === 'dismissed' ? 'Forslaget er afvist og bliver ikke foreslået igen.' : undefined;
}

/** The chosen filters as query parameters, without the page cursors. */
function filterParams(filters: QueueQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (key === 'after' || key === 'before') continue;
    if (value === true) out[key] = '1';
    else if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}
