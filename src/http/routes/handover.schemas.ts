import { z } from 'zod';

/** /councils/:slug/handover (and .pdf). */
export const handoverParams = z.object({ slug: z.string().max(64) });

/**
 * ?periode=2022: the election period starting in (or covering) that year. Anything else, or
 * nothing, is the period covering today: a stale or mistyped link still shows a report.
 */
export const handoverQuery = z.object({
  periode: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
});
