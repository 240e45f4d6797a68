import { z } from 'zod';

export const consultationPageParams = z.object({ id: z.string().max(100) });

/** A document of a consultation; a bad number is refused before any lookup. */
export const documentParams = z.object({
  id: z.string().max(100),
  docId: z.coerce.number({ error: 'Ukendt dokument' }).int().min(1).max(2_147_483_647),
});

const versionNumber = z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined);

/** The page's query: notices after a redirect, and which two versions to compare. */
export const consultationPageQuery = z.object({
  ok: z.string().max(5).optional().catch(undefined),
  registered: z.string().max(5).optional().catch(undefined),
  from: versionNumber,
  to: versionNumber,
});

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

/** A member's comment on the draft, as the comment form sends it. */
export const commentForm = z.object({ body: z.string().max(20_000).default('') });
