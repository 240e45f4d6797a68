import { Router } from 'express';
import type { AppDeps } from '../../deps.ts';
import { loadQueue, queueDataKeys } from '../../domain/consultations/queue.ts';
import { STATES } from '../../../workflows/consultation.machine.ts';
import { actorOf, requireLogin } from '../middleware/actor.ts';
import { STATE_LABELS } from '../presenters/labels.ts';
import { PageCache } from '../presenters/page-cache.ts';
import { MAX_SEARCH_CHARS, queueQuery, type QueueQuery } from './queue.schemas.ts';

const STATE_OPTIONS = STATES.map((value) => ({ value, label: STATE_LABELS[value] }));

/** Rendered queue pages are reused for this long at most: days left and "overdue" follow the clock. */
const QUEUE_PAGE_TTL_MS = 10_000;
const QUEUE_PAGE_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The start page: the user's consultations across their councils, soonest deadline first. It is
 * the page everyone reloads, so each session's rendered pages are kept until the data under them
 * changes (PageCache); the time-bound filters (due this week, overdue) are always computed anew.
 */
export function queueRoutes(deps: AppDeps): Router {
  const router = Router();
  const pages = new PageCache(deps.clock, { ttlMs: QUEUE_PAGE_TTL_MS, maxBytes: QUEUE_PAGE_CACHE_BYTES });
  // Whoever has just changed something sees their own change on the next page, even before
  // the database's notification of it has arrived.
  router.use((req, _res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.sessionID) pages.forgetSession(req);
    next();
  });
  router.get('/', requireLogin, async (req, res, next) => {
    const actor = actorOf(res);
    const filters = queueQuery.parse(req.query);
    // A search that was typed but cannot be used is shown again with a message, not silently dropped.
    const typedSearch = typeof req.query.q === 'string' && req.query.q.trim() && filters.q === undefined ? req.query.q : undefined;
    const token = filters.due ? null : deps.versions.token(queueDataKeys(actor));
    if (pages.serve(req, res, token)) return;
    const page = await loadQueue(deps, actor, { ...filters, due: filters.due || undefined, council: filters.council || undefined });
    const base = filterParams(filters);
    const link = (extra: Record<string, string>) => `/?${new URLSearchParams({ ...base, ...extra }).toString()}`;
    pages.render(req, res, next, 'pages/queue', {
      title: 'Høringer',
      filters,
      typedSearch,
      searchError: typedSearch === undefined ? undefined : `Søgningen er ikke brugt: højst ${MAX_SEARCH_CHARS} tegn og ingen kontroltegn`,
      items: page.items,
      total: page.total,
      totalText: page.totalIsLowerBound ? `over ${page.total.toLocaleString('da-DK')}` : String(page.total),
      awaitingMyApproval: page.awaitingApproval,
      nextLink: page.nextCursor ? link({ after: page.nextCursor }) : null,
      prevLink: page.prevCursor ? link({ before: page.prevCursor }) : null,
      firstLink: page.paged ? link({}) : null,
      councils: actor.councils,
      states: STATE_OPTIONS,
    }, token);
  });
  return router;
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
