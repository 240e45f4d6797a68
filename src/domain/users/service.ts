import { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { findUserByEmail, insertUser, upsertMembership } from '../../db/repositories/users.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import type { Role } from '../../db/types.ts';
import { hashPassword } from '../auth/passwords.ts';
import { AppError } from '../errors.ts';
import { emailSchema, optionalText, parseInput, requiredText } from '../validation.ts';

export const ROLES = ['secretary', 'chair', 'member', 'staff'] as const satisfies readonly Role[];

/** Danish names of the roles, as the UI shows them. */
export const ROLE_LABELS: Record<Role, string> = {
  secretary: 'Sekretær',
  chair: 'Formand',
  member: 'Medlem',
  staff: 'Forvaltning',
};

export const newUserSchema = z.object({
  email: emailSchema,
  name: requiredText(200),
  password: z.string().min(10, 'Adgangskoden skal være mindst 10 tegn').max(200),
  isAdmin: z.boolean().default(false),
});

/** Creates a user with a hashed password. Fails with CONFLICT when the e-mail is taken. */
export async function createUser(db: Executor, input: z.input<typeof newUserSchema>) {
  const values = parseInput(newUserSchema, input);
  if (await findUserByEmail(db, values.email)) {
    throw new AppError('CONFLICT', `Der findes allerede en bruger med e-mailen ${values.email}`, {
      details: [{ path: 'email', message: 'E-mailen er allerede i brug' }],
    });
  }
  const user = await insertUser(db, {
    email: values.email,
    name: values.name,
    password_hash: await hashPassword(values.password),
    is_admin: values.isAdmin,
  });
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.is_admin };
}

export const addMemberSchema = z.object({
  email: emailSchema,
  council: z.string().trim().min(1, 'Skal udfyldes'),
  role: z.enum(ROLES, { error: 'Rollen skal være secretary, chair, member eller staff' }),
  title: optionalText(100),
});

/** Gives a user a role on a council (replacing any role they had there). */
export async function addMember(db: Executor, input: z.input<typeof addMemberSchema>) {
  const values = parseInput(addMemberSchema, input);
  const user = await findUserByEmail(db, values.email);
  if (!user) {
    throw new AppError('NOT_FOUND', `Ingen bruger med e-mailen ${values.email}`, {
      details: [{ path: 'email', message: 'Ukendt bruger' }],
    });
  }
  const council = await findCouncilBySlug(db, values.council);
  if (!council) {
    throw new AppError('NOT_FOUND', `Intet råd med kortnavnet ${values.council}`, {
      details: [{ path: 'council', message: 'Ukendt råd' }],
    });
  }
  const title = values.title ?? (values.role === 'chair' ? 'formand' : null);
  await upsertMembership(db, { userId: user.id, councilId: council.id, role: values.role, title });
  return { email: user.email, council: council.slug, role: values.role, title };
}
