import { z } from 'zod';

/** The token of a public status link, as it appears in the URL. */
export const statusParams = z.object({ token: z.string().max(200) });
