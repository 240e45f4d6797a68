import { z } from 'zod';

const checkbox = z
  .union([z.literal('1'), z.literal('on'), z.literal('true'), z.literal(''), z.undefined()])
  .catch(undefined)
  .transform((value) => value === '1' || value === 'on' || value === 'true');

const cursor = z.string().max(500).optional().catch(undefined);

/** The queue's filters, from the query string. Anything odd falls back to "no filter". */
export const queueQuery = z.object({
  state: z.string().trim().max(40).optional().catch(undefined),
  council: z.string().trim().max(63).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  mine: checkbox,
  due: z.enum(['week', 'overdue', '']).optional().catch(undefined),
  /** Page forward from this row; `before` pages back. */
  after: cursor,
  before: cursor,
});
export type QueueQuery = z.output<typeof queueQuery>;
