import { z } from 'zod';
import { formField } from '../forms.ts';

/** Only a path on this site may follow a login, never another host; anything else means the start page. */
export const safeNextPath = formField(2000)
  .optional()
  .catch(undefined)
  .transform((value) => (value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/'));

export const loginForm = z.object({
  email: formField(254, 'E-mailadressen er for lang').trim().default(''),
  password: formField(200, 'Adgangskoden er for lang').default(''),
  next: safeNextPath,
});

export const loginQuery = z.object({ next: safeNextPath });
