import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig as NodeSamlConfig } from '@node-saml/passport-saml';
import type { SamlConfig } from '../config.ts';
import { SAML_REQUEST_VALIDITY_MS, SignOnRejected, type SamlIdentityProvider, type SamlRequestLedger } from '../domain/auth/single-sign-on.ts';

/*
 * The municipality's SAML 2.0 identity provider through node-saml (@node-saml/passport-saml 5.1):
 * an AuthnRequest over HTTP-Redirect (signed when Rådssvar has a key), the answer posted to the
 * assertion consumer service and checked by the library — the assertion signed by the provider's
 * certificate (an unsigned assertion is refused even in a signed response), issuer, audience,
 * recipient, NotBefore/NotOnOrAfter, and InResponseTo against the requests in the shared ledger.
 * On top of the library: the answer must answer the request this browser was sent with, and the
 * request is taken from the ledger in one statement, so a replayed answer is refused in every process.
 */

/** The service provider's addresses, all under PUBLIC_URL. */
export interface SamlEndpoints {
  /** The entity id, also the metadata's address. */
  entityId: string;
  assertionConsumerService: string;
  singleLogoutService: string;
}

/** The SAML paths of Rådssvar, relative to PUBLIC_URL. */
export const SAML_PATHS = {
  metadata: '/saml/metadata',
  assertionConsumerService: '/login/saml/acs',
  singleLogoutService: '/login/saml/logout',
} as const;

/** The SP endpoints for a public base URL. */
export function samlEndpoints(publicBase: string): SamlEndpoints {
  return {
    entityId: `${publicBase}${SAML_PATHS.metadata}`,
    assertionConsumerService: `${publicBase}${SAML_PATHS.assertionConsumerService}`,
    singleLogoutService: `${publicBase}${SAML_PATHS.singleLogoutService}`,
  };
}

/** The first value of an attribute, which the library gives as a string or, when repeated, an array. */
function attributeValue(profile: Profile, name: string): string | undefined {
  if (name.toLowerCase() === 'nameid') return profile.nameID || undefined;
  const value = profile[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first.trim() ? first.trim() : undefined;
}

/** The {@link SamlIdentityProvider} over node-saml. */
export function samlIdentityProvider(settings: SamlConfig, endpoints: SamlEndpoints, ledger: SamlRequestLedger): SamlIdentityProvider {
  const cacheProvider: CacheProvider = {
    saveAsync: async (key, value) => ({ value, createdAt: (await ledger.save(key, value)).getTime() }),
    getAsync: (key) => ledger.find(key),
    // The library removes the request after checking it, but cannot tell whether another process
    // removed it first; the request is taken (atomically) in finishSignOn instead.
    removeAsync: (key) => Promise.resolve(key),
  };
  const options = (generateUniqueId?: () => string): NodeSamlConfig => ({
    entryPoint: settings.entryPoint,
    idpIssuer: settings.idpIssuer,
    idpCert: settings.idpCerts,
    issuer: endpoints.entityId,
    audience: endpoints.entityId,
    callbackUrl: endpoints.assertionConsumerService,
    logoutUrl: settings.logoutUrl ?? settings.entryPoint,
    logoutCallbackUrl: endpoints.singleLogoutService,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_VALIDITY_MS,
    cacheProvider,
    // Clocks of two servers differ a little; a minute is what AD FS itself allows by default.
    acceptedClockSkewMs: 60_000,
    // No NameIDPolicy and no RequestedAuthnContext: KOMBIT and AD FS choose them (AD FS refuses a
    // password context for people signed in with Windows), and the person is found by e-mail.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...(settings.signing ? { privateKey: settings.signing.privateKey, publicCert: settings.signing.cert, signatureAlgorithm: 'sha256' } : {}),
    ...(generateUniqueId ? { generateUniqueId } : {}),
  });
  const shared = new SAML(options());
  return {
    label: settings.label,
    async startSignOn(relayState) {
      // A library instance for this request, so its id is known to bind to this browser.
      const requestId = `_${randomBytes(20).toString('hex')}`;
      const url = await new SAML(options(() => requestId)).getAuthorizeUrlAsync(relayState, undefined, {});
      return { url, requestId };
    },
    async finishSignOn(samlResponse, requestId) {
      let profile: Profile | null;
      try {
        ({ profile } = await shared.validatePostResponseAsync({ SAMLResponse: samlResponse }));
      } catch (error) {
        await ledger.take(requestId);
        throw new SignOnRejected(error instanceof Error ? error.message : 'the provider’s answer was refused');
      }
      if (!profile) throw new SignOnRejected('not a login response');
      // node-saml 5 compares the issuer with idpIssuer only for logout messages; a certificate a
      // provider uses for several entities must not let another of them sign people in.
      if (profile.issuer !== settings.idpIssuer) throw new SignOnRejected(`issuer ${profile.issuer} is not ${settings.idpIssuer}`);
      if (profile.inResponseTo !== requestId) throw new SignOnRejected('the answer is to a request this browser was not sent with');
      if (!(await ledger.take(requestId))) throw new SignOnRejected('the answer was already used');
      return {
        email: attributeValue(profile, settings.emailAttribute),
        emailVerified: true,
        name: attributeValue(profile, settings.nameAttribute),
        session: { nameId: profile.nameID, nameIdFormat: profile.nameIDFormat, sessionIndex: profile.sessionIndex },
      };
    },
    async logoutUrl(session, relayState) {
      if (!settings.logoutUrl) return undefined;
      const subject: Profile = {
        issuer: settings.idpIssuer,
        nameID: session.nameId,
        nameIDFormat: session.nameIdFormat,
        ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
      };
      return shared.getLogoutUrlAsync(subject, relayState, {});
    },
    metadata() {
      return shared.generateServiceProviderMetadata(null, settings.signing?.cert ?? null);
    },
  };
}
