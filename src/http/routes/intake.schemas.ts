import { z } from 'zod';

/** A suggestion or an intake mail by its number; a bad number is a 404 like an unknown one. */
export const intakeItemParams = z.object({
  id: z.coerce.number({ error: 'Findes ikke' }).int().min(1).max(2_147_483_647),
});
