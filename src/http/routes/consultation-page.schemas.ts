import { z } from 'zod';

export const consultationPageParams = z.object({ id: z.string().max(100) });

/** A workflow form: the event's fields as strings, as a browser sends them. */
export const eventForm = z
  .looseObject({ type: z.string().max(40), version: z.string().max(12) })
  // A date input left empty is posted as "": for the optional dates that means "not given".
  .transform((form) => {
    const fields: Record<string, unknown> = { ...form };
    for (const key of ['submittedAt', 'meetingDate']) if (fields[key] === '') delete fields[key];
    return fields as typeof form;
  });

export const draftForm = z.object({ body: z.string().max(200_000).default(''), version: z.string().max(12) });
