import { z } from 'zod';

export const consultationPageParams = z.object({ id: z.string().max(100) });

/** A workflow form: the event's fields as strings, as a browser sends them. */
export const eventForm = z.looseObject({ type: z.string().max(40), version: z.string().max(12) });

export const draftForm = z.object({ body: z.string().max(200_000).default(''), version: z.string().max(12) });
