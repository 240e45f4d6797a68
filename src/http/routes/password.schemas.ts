import { z } from 'zod';

/** The token of a mailed reset link, as the path carries it (anything else is no link of ours). */
export const passwordResetParams = z.object({ token: z.string().max(200).catch('') });
