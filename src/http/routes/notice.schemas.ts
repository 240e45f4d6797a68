import { z } from 'zod';

/** /councils/:slug/notice (and .csv). */
export const noticeParams = z.object({ slug: z.string().max(64) });

/** ?year=2026; anything else, or nothing, is this year: a stale or mistyped link still shows the figures. */
export const noticeQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined) });
