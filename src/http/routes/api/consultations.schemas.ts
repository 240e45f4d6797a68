import { z } from 'zod';
import { STATES } from '../../../../workflows/consultation.machine.ts';

/** GET /api/v1/consultations query string. */
export const listConsultationsQuery = z.object({
  state: z
    .string()
    .meta({ description: `Comma-separated states: ${STATES.join(', ')}` })
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(z.enum(STATES, { error: `Tilstanden skal være en af: ${STATES.join(', ')}` })).optional()),
  council: z.string().trim().max(63).optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce
    .number({ error: 'limit skal være et tal' })
    // Their own messages: without them a number out of range would be told it is not a number.
    .int('limit skal være et helt tal')
    .min(1, 'limit skal være mellem 1 og 200')
    .max(200, 'limit skal være mellem 1 og 200')
    .optional(),
  cursor: z.string().max(500).optional(),
});

/** Path parameter: a consultation id. */
export const consultationIdParams = z.object({ id: z.string().max(100) });
