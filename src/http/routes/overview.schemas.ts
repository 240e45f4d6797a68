import { z } from 'zod';

export const statusParams = z.object({ token: z.string().max(200) });
