import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import type { Role } from '../../src/db/types.ts';
import { loadActor, type Actor } from '../../src/domain/access/actor.ts';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { registerConsultation, type ConsultationDeps } from '../../src/domain/consultations/service.ts';
import { addMember, createUser } from '../../src/domain/users/service.ts';

export const TEST_PASSWORD = 'korrekt-hest-batteri';

/** A short random suffix so tests never collide in the shared database. */
export function unique(): string {
  return randomBytes(4).toString('hex');
}

/** A council with a unique slug. */
export async function makeCouncil(db: Db, name = 'Integrationsrådet i Næstved Kommune') {
  const id = unique();
  return createCouncil(db, { slug: `raad-${id}`, name: `${name} ${id}`, municipality: 'Næstved Kommune', referencePrefix: `T${id.slice(0, 5).toUpperCase()}` });
}

/** A user, optionally with a role on a council, and their Actor. */
export async function makeUser(
  db: Db,
  options: { council?: { slug: string }; role?: Role; admin?: boolean; name?: string; email?: string } = {},
): Promise<{ email: string; password: string; actor: Actor }> {
  const email = options.email ?? `bruger-${unique()}@example.dk`;
  const user = await createUser(db, { email, name: options.name ?? 'Søren Ærbødig', password: TEST_PASSWORD, isAdmin: options.admin ?? false });
  if (options.council && options.role) await addMember(db, { email, council: options.council.slug, role: options.role });
  const actor = await loadActor(db, user.id);
  return { email, password: TEST_PASSWORD, actor: actor! };
}

/** A council with a secretary, a chair, a member and a staff user. */
export async function makeCouncilWithPeople(db: Db) {
  const council = await makeCouncil(db);
  const [secretary, chair, member, staff] = await Promise.all([
    makeUser(db, { council, role: 'secretary', name: 'Mette Kjærgaard' }),
    makeUser(db, { council, role: 'chair', name: 'Ahmad Hussein' }),
    makeUser(db, { council, role: 'member', name: 'Birgitte Sørensen' }),
    makeUser(db, { council, role: 'staff', name: 'Søren Østergaard' }),
  ]);
  return { council, secretary, chair, member, staff };
}

/** A consultation registered by `actor`, assigned to `council` when given. */
export function makeConsultation(deps: ConsultationDeps, actor: Actor, overrides: Record<string, unknown> = {}) {
  return registerConsultation(deps, actor, {
    title: 'Udkast til Integrationsstrategi 2026–2029',
    authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
    authorityReference: '25-012345',
    deadline: '2026-12-18T12:00',
    ...overrides,
  });
}
