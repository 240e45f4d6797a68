import { z } from 'zod';
import { formField } from '../forms.ts';

export const councilMeetingsParams = z.object({ slug: z.string().max(64) });

export const meetingParams = z.object({ slug: z.string().max(64), id: z.coerce.number().int().positive().max(2_147_483_647) });

/** The add-meeting form as the browser sends it: one string per field; the domain checks each. */
export const meetingFormFields = z.object({
  date: formField().default(''),
  time: formField().default(''),
  place: formField().default(''),
  note: formField().default(''),
});
