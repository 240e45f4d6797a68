import { z } from 'zod';

const checkbox = z
  .union([z.literal('1'), z.literal('on'), z.literal('true'), z.literal(''), z.undefined()])
  .catch(undefined)
  .transform((value) => value === '1' || value === 'on' || value === 'true');

// PostgreSQL cannot compare text with U+0000 in it: such a filter is no filter, like any odd one.
const filterText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !value.includes('\u0000'));

const cursor = filterText(500).optional().catch(undefined);

/** The longest search the queue takes. */
export const MAX_SEARCH_CHARS = 200;

/** The queue's filters, from the query string. Anything odd falls back to "no filter" (a refused search says so on the page). */
export const queueQuery = z.object({
  state: filterText(40).optional().catch(undefined),
  council: filterText(63).optional().catch(undefined),
  q: filterText(MAX_SEARCH_CHARS).optional().catch(undefined),
  mine: checkbox,
  due: z.enum(['week', 'overdue', '']).optional().catch(undefined),
  /** Page forward from this row; `before` pages back. */
  after: cursor,
  before: cursor,
});
export type QueueQuery = z.output<typeof queueQuery>;
