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
 * Single sign-on with the municipality's identity provider (OpenID Connect, src/adapters/oidc.ts,
 * or SAML 2.0, src/adapters/saml.ts):
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

/** How long a SAML request waits for its answer: the time a person may take at the municipality's login. */
export const SAML_REQUEST_VALIDITY_MS = 10 * 60_000;

/** What a SAML login keeps for its logout at the provider (SingleLogout needs the subject and session). */
export interface SamlSession {
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string | undefined;
}

/** A person as the SAML identity provider vouches for them, from a signed assertion. */
export interface SamlIdentity {
  email: string | undefined;
  /** The provider asserts the e-mail attribute itself: there is no unverified one in SAML. */
  emailVerified: true;
  name: string | undefined;
  session: SamlSession;
}

/**
 * The SAML requests sent and not yet answered (saml_requests), shared by every app process: an
 * answer counts only for a request found here, and taking it removes it, so it counts once.
 */
export interface SamlRequestLedger {
  save(id: string, issuedAt: string): Promise<Date>;
  find(id: string): Promise<string | null>;
  /** Removes the request; its IssueInstant when it was there, null when another answer took it first. */
  take(id: string): Promise<string | null>;
}

/** The municipality's SAML 2.0 identity provider (KOMBIT's Adgangsstyring, AD FS), as the domain needs it (src/adapters/saml.ts). */
export interface SamlIdentityProvider {
  /** The words of the login page's button. */
  label: string;
  /** The AuthnRequest to send the browser with (HTTP-Redirect binding), and its id to bind to this browser. */
  startSignOn(relayState: string): Promise<{ url: string; requestId: string }>;
  /**
   * The identity in a posted SAMLResponse, when it answers `requestId` — the request this browser
   * was sent with — is signed by the provider's key, is for Rådssvar and is in date. Throws
   * {@link SignOnRejected} otherwise, and for an answer already taken.
   */
  finishSignOn(samlResponse: string, requestId: string): Promise<SamlIdentity>;
  /** The provider's SingleLogout address for this login, or undefined when none is configured. */
  logoutUrl(session: SamlSession, relayState: string): Promise<string | undefined>;
  /** Rådssvar's service-provider metadata (entity id, assertion consumer service, signing certificate). */
  metadata(): string;
}

/** The provider's answer could not be trusted (wrong audience, bad signature, expired, wrong state…). */
export class SignOnRejected extends Error {}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * The user a provided identity signs in as: the user with that verified e-mail, or a new one
 * without roles where the domain allows it. Refuses an unverified e-mail and an unknown person.
 */
export async function userForIdentity(deps: { db: Db }, identity: Pick<ProvidedIdentity, 'email' | 'emailVerified' | 'name'>): Promise<number> {
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
