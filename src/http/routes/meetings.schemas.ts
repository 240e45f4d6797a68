import { z } from 'zod';

export const councilMeetingsParams = z.object({ slug: z.string().max(64) });

export const meetingParams = z.object({ slug: z.string().max(64), id: z.coerce.number().int().positive().max(2_147_483_647) });

/** The add-meeting form as the browser sends it, kept to re-render after an error. */
export const meetingFormFields = z.object({
  date: z.string().max(20).default(''),
  time: z.string().max(10).default(''),
  place: z.string().max(1000).default(''),
  note: z.string().max(5000).default(''),
});
