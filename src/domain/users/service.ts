import { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { findUserByEmail, insertUser, upsertMembership } from '../../db/repositories/users.ts';
import { findCouncilBySlug } from '../../db/repositories/councils.ts';
import type { Role } from '../../db/types.ts';
import { hashPassword, newPasswordSchema } from '../auth/passwords.ts';
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

/**
 * A seat in words for lists of members: "Medlem (næstformand)", or just "Formand" when the seat's
 * title only repeats the role.
 */
export function seatText(role: string, title: string | null | undefined): string {
  const label = ROLE_LABELS[role as Role] ?? role;
  return title && title.trim().toLocaleLowerCase('da') !== label.toLocaleLowerCase('da') ? `${label} (${title.trim()})` : label;
}

export const newUserSchema = z.object({
  email: emailSchema,
  name: requiredText(200),
  password: newPasswordSchema,
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

// ---- Administration (the web pages): every function checks that the actor is an administrator. ----
import { deleteMembership, disableUser, findUserById, listMembershipsOfUser, listUsers } from '../../db/repositories/users.ts';
import { findCouncilById } from '../../db/repositories/councils.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';

/** A person as the administration lists them. */
export interface UserAdminView {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  disabledAt: Date | null;
}

/** A person with their seats, for their administration page. */
export interface UserAdminDetails extends UserAdminView {
  memberships: Array<{ councilId: number; slug: string; name: string; role: Role; title: string | null; termStart: string; termEnd: string }>;
}

/** The fields of the "new person" form; an unticked checkbox is absent. */
export const adminNewUserSchema = newUserSchema.extend({
  isAdmin: z.preprocess((value) => value === true || value === '1' || value === 'on' || value === 'true', z.boolean()),
});

/** The fields of the "add to council" form (the council by id, as the select sends it). */
export const membershipFormSchema = z.object({
  councilId: z.coerce.number({ error: 'Vælg et råd' }).int('Vælg et råd').positive('Vælg et råd'),
  role: z.enum(ROLES, { error: 'Vælg en rolle' }),
  title: optionalText(100),
});

function toUserAdminView(user: { id: number; email: string; name: string; is_admin: boolean; disabled_at: Date | null }): UserAdminView {
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.is_admin, disabledAt: user.disabled_at };
}

/** Every person, by name (administrators only). */
export async function listUsersForAdmin(db: Executor, actor: Actor): Promise<UserAdminView[]> {
  assertAdmin(actor);
  return (await listUsers(db)).map(toUserAdminView);
}

/** One person with their councils and roles, or NOT_FOUND (administrators only). */
export async function getUserForAdmin(db: Executor, actor: Actor, id: number): Promise<UserAdminDetails> {
  assertAdmin(actor);
  const user = await findUserById(db, id);
  if (!user) throw new AppError('NOT_FOUND', 'Personen findes ikke');
  const memberships = await listMembershipsOfUser(db, id);
  return {
    ...toUserAdminView(user),
    memberships: memberships.map((m) => ({
      councilId: m.councilId,
      slug: m.slug,
      name: m.name,
      role: m.role,
      title: m.title,
      termStart: m.termStart,
      termEnd: m.termEnd,
    })),
  };
}

/** Creates a person with a password (administrators only); CONFLICT when the e-mail is taken. */
export async function createUserAsAdmin(db: Executor, actor: Actor, input: Record<string, unknown>): Promise<UserAdminView> {
  assertAdmin(actor);
  const values = parseInput(adminNewUserSchema, input);
  const created = await createUser(db, values);
  return { id: created.id, email: created.email, name: created.name, isAdmin: created.isAdmin, disabledAt: null };
}

/**
 * Disables a person: they can no longer log in, and their sessions and API tokens stop working
 * (both load the user on every request). An administrator cannot disable themselves.
 */
export async function disableUserAsAdmin(db: Executor, actor: Actor, id: number): Promise<void> {
  assertAdmin(actor);
  if (id === actor.userId) throw new AppError('FORBIDDEN', 'Du kan ikke deaktivere dig selv');
  if (!(await findUserById(db, id))) throw new AppError('NOT_FOUND', 'Personen findes ikke');
  await disableUser(db, id);
}

/** Gives a person a role (and an optional title such as "næstformand") on a council, replacing any role they had there. */
export async function setMembershipAsAdmin(db: Executor, actor: Actor, userId: number, input: Record<string, unknown>) {
  assertAdmin(actor);
  const values = parseInput(membershipFormSchema, input);
  const [user, council] = await Promise.all([findUserById(db, userId), findCouncilById(db, values.councilId)]);
  if (!user) throw new AppError('NOT_FOUND', 'Personen findes ikke');
  if (!council) {
    throw new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', { details: [{ path: 'councilId', message: 'Ukendt råd' }] });
  }
  const title = values.title ?? (values.role === 'chair' ? 'formand' : null);
  await upsertMembership(db, { userId, councilId: council.id, role: values.role, title });
  return { userId, councilId: council.id, role: values.role, title };
}

/** Takes a person off a council, or NOT_FOUND when they did not sit on it. */
export async function removeMembershipAsAdmin(db: Executor, actor: Actor, userId: number, councilId: number): Promise<void> {
  assertAdmin(actor);
  if ((await deleteMembership(db, userId, councilId)) === 0) throw new AppError('NOT_FOUND', 'Personen sidder ikke i rådet');
}
