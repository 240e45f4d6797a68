import { z } from 'zod';

/** /r/:slug */
export const publicCouncilParams = z.object({ slug: z.string().max(64) });

/** /r/:slug/svar/:id.pdf — an id that is not a UUID is simply not found. */
export const publicLetterParams = z.object({ slug: z.string().max(64), id: z.uuid({ error: 'Siden findes ikke' }) });

/** /r/:slug/referater/:meetingId.pdf */
export const publicMinutesParams = z.object({ slug: z.string().max(64), meetingId: z.coerce.number().int().positive().max(2_147_483_647) });

/** The conditional-request header of a download. */
export const publicDownloadHeaders = z.object({ 'if-none-match': z.string().max(1000).optional() });

/** ?q= searches the published responses; no q, the page without a search. */
export const publicPageQuery = z.object({
  q: z.string().max(400).optional().catch(undefined),
  cursor: z.string().max(400).optional().catch(undefined),
});
