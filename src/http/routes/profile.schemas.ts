import { z } from 'zod';

/** `?saved=` after a redirect, to say what was saved. */
export const profileQuery = z.object({ saved: z.enum(['reminders', 'calendar', 'password', 'listing', 'public-page']).optional().catch(undefined) });
