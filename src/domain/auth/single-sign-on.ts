import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { deleteSsoDomain, findSsoDomain, listSsoDomains, upsertSsoDomain } from '../../db/repositories/sso-domains.ts';
import { findUserByEmail } from '../../db/repositories/users.ts';
import { assertAdmin } from '../access/admin.ts';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../errors.ts';
import { createUser } from '../users/service.ts';
import { parseInput } from '../validation.ts';

/*
 * Single sign-on with the municipality's identity provider (OpenID Connect, src/adapters/oidc.ts):
 * the person is matched by the e-mail the provider has verified to an existing user; an unknown
 * one gets a user only where an admin allowed it for the e-mail's domain, and never a role (roles
 * are given in Rådssvar). An admin can require the municipality's login for a domain: its people
 * can then not log in with a password.
 */

/** What Rådssvar keeps between sending the browser to the provider and its return (in the session). */
export interface PendingSignOn {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
}

/** A person as the provider vouches for them, from the validated ID token. */
export interface ProvidedIdentity {
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  /** The ID token, kept for the provider's logout (id_token_hint). */
  idToken: string;
}

/** The municipality's identity provider, as the domain needs it. */
export interface IdentityProvider {
  /** The words of the login page's button. */
  label: string;
  /** Where to send the browser, and what to keep until it returns. */
  startSignOn(redirectUri: string, next: string): Promise<{ url: string; pending: PendingSignOn }>;
  /** The identity of a browser that came back to `callbackUrl` (the whole URL it requested); throws when anything does not check out. */
  finishSignOn(callbackUrl: URL, pending: PendingSignOn): Promise<ProvidedIdentity>;
  /** The provider's logout address (RP-initiated logout), or undefined when it has none. */
  logoutUrl(idToken: string, postLogoutRedirectUri: string): Promise<string | undefined>;
}

/** The provider's answer could not be trusted (wrong audience, bad signature, expired, wrong state…). */
export class SignOnRejected extends Error {}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * The user a provided identity signs in as: the user with that verified e-mail, or a new one
 * without roles where the domain allows it. Refuses an unverified e-mail and an unknown person.
 */
export async function userForIdentity(deps: { db: Db }, identity: ProvidedIdentity): Promise<number> {
  const email = identity.email?.trim().toLowerCase();
  if (!email || !identity.emailVerified) {
    throw new AppError('UNAUTHENTICATED', 'Kommunens login har ikke bekræftet din e-mail, så Rådssvar kan ikke finde din bruger.');
  }
  const user = await findUserByEmail(deps.db, email);
  if (user) {
    if (user.disabled_at) throw new AppError('UNAUTHENTICATED', 'Din bruger i Rådssvar er deaktiveret. Kontakt rådets sekretariat.');
    return user.id;
  }
  const domain = await findSsoDomain(deps.db, domainOf(email));
  if (!domain?.create_users) {
    throw new AppError('FORBIDDEN', 'Du har ikke en bruger i Rådssvar. Kontakt rådets sekretariat, så de kan oprette dig.');
  }
  // A password nobody knows: this person logs in with the municipality's login.
  const created = await createUser(deps.db, { email, name: identity.name?.trim() || email, password: randomBytes(24).toString('base64url') });
  return created.id;
}

/** Refuses a password login for an e-mail whose domain must use the municipality's login. */
export async function assertPasswordLoginAllowed(deps: { db: Db }, email: string): Promise<void> {
  const domain = await findSsoDomain(deps.db, domainOf(email.trim()));
  if (domain?.require_sso) {
    throw new AppError('FORBIDDEN', 'Din kommune logger ind med kommunens eget login. Brug knappen til kommunens login herunder.');
  }
}

const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (Array.isArray(value) ? value.at(-1) : value))
  .transform((value) => value === '1' || value === 'on');

const domainForm = z.object({
  domain: z
    .string({ error: 'Angiv domænet' })
    .trim()
    .toLowerCase()
    .min(1, 'Angiv domænet, f.eks. naestved.dk')
    .max(253)
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'Et domæne som naestved.dk, uden @ og uden mellemrum'),
  createUsers: checkbox,
  requireSso: checkbox,
});

/** The domains as the admin page lists them. */
export async function ssoDomainsForAdmin(deps: { db: Db }, actor: Actor) {
  assertAdmin(actor);
  return listSsoDomains(deps.db);
}

/** Adds a domain or changes its settings. */
export async function saveSsoDomainAsAdmin(deps: { db: Db }, actor: Actor, input: unknown): Promise<void> {
  assertAdmin(actor);
  await upsertSsoDomain(deps.db, parseInput(domainForm, input));
}

/** Removes a domain: its people log in with a password again, and no new users are made for it. */
export async function removeSsoDomainAsAdmin(deps: { db: Db }, actor: Actor, domain: string): Promise<void> {
  assertAdmin(actor);
  await deleteSsoDomain(deps.db, domain.trim().toLowerCase());
}
