import { z } from 'zod';
import { STATES } from '../../../workflows/consultation.machine.ts';
import { SEARCH_KINDS, type SearchPage } from '../../domain/search/service.ts';

/** One search result in the API. */
const searchHitJsonSchema = z
  .object({
    kind: z.enum(SEARCH_KINDS).meta({ description: 'What was found: the consultation itself, a response version, a document or a comment' }),
    sourceId: z.string().meta({ description: 'The id of what was found (consultation, response version, document or comment)' }),
    consultation: z.object({
      id: z.string(),
      reference: z.string().nullable(),
      title: z.string(),
      authority: z.string(),
      state: z.enum(STATES),
      council: z.object({ slug: z.string(), name: z.string() }).nullable(),
    }),
    year: z.number().int().meta({ description: 'The year the consultation was received' }),
    snippet: z
      .array(z.object({ text: z.string(), mark: z.boolean() }))
      .meta({ description: 'The text around the hits (ts_headline), in parts; `mark` is true for a matched word. Plain text, never HTML' }),
    rank: z.number(),
  })
  .meta({ id: 'SearchHit' });

/** A page of search results in the API. */
export const searchPageJsonSchema = z
  .object({
    q: z.string(),
    items: z.array(searchHitJsonSchema),
    total: z.number().int().meta({ description: 'Matches, counted up to 1000' }),
    totalIsLowerBound: z.boolean().meta({ description: 'True when there are more than `total`' }),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .meta({ id: 'SearchPage' });

export type SearchPageJson = z.infer<typeof searchPageJsonSchema>;

/** A search page as the API answers it. */
export function searchJson(page: SearchPage): SearchPageJson {
  return page;
}
