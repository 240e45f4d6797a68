import { z } from 'zod';

/** Only a path on this site may follow a login, never another host. */
export const safeNextPath = z
  .string()
  .optional()
  .transform((value) => (value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/'));

export const loginForm = z.object({
  email: z.string().trim().max(254).default(''),
  password: z.string().max(200).default(''),
  next: safeNextPath,
});

export const loginQuery = z.object({ next: safeNextPath });
