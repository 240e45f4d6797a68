import { z } from 'zod';

/** /r/:slug/abonner */
export const subscribeParams = z.object({ slug: z.string().max(1000) });

/** The token of a confirmation or unsubscribe link, as the path carries it (anything else is no link of ours). */
export const subscriptionLinkParams = z.object({ token: z.string().max(200).catch('') });
