import { z } from 'zod';

/** The token of a reminder's unsubscribe link, as the path carries it (anything else is no link of ours). */
export const unsubscribeParams = z.object({ token: z.string().max(200).catch('') });
