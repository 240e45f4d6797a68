import { z } from 'zod';

/**
 * The query string of /search and of GET /api/v1/search as it arrives: each parameter once, as a
 * string (a repeated one keeps its first value). The search service checks the values themselves.
 */
const one = z.preprocess(
  (value: unknown): unknown => (Array.isArray(value) ? (value as unknown[])[0] : value),
  z.string().optional().catch(undefined),
);

export const searchQuery = z.object({
  q: one,
  council: one,
  authority: one,
  year: one,
  state: one,
  kind: one,
  cursor: one,
});
