import { z } from 'zod';

/** /r/:slug */
export const publicCouncilParams = z.object({ slug: z.string().max(1000) });

/** /r/:slug/svar/:id.pdf — any id: one that is not a published response's is not found (the domain decides). */
export const publicLetterParams = z.object({ slug: z.string().max(1000), id: z.string().max(1000) });

/** /r/:slug/referater/:meetingId.pdf — as above. */
export const publicMinutesParams = z.object({ slug: z.string().max(1000), meetingId: z.string().max(1000) });

/** ?q= searches the published responses; no q, the page without a search. */
export const publicPageQuery = z.object({
  q: z.string().max(400).optional().catch(undefined),
  cursor: z.string().max(400).optional().catch(undefined),
});
