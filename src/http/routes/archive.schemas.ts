import { z } from 'zod';

/** Path parameter of the letter routes: a consultation id. */
export const letterParams = z.object({ id: z.string().max(100) });

/** The conditional-request header of a letter download; longer values are ignored. */
export const letterHeaders = z.object({ 'if-none-match': z.string().max(2000).optional().catch(undefined) });
