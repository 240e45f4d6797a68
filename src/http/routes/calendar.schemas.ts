import { z } from 'zod';

/** A feed address's token: `cal_` and a base64url HMAC. */
export const calendarFeedParams = z.object({ token: z.string().regex(/^cal_[A-Za-z0-9_-]{20,100}$/) });
