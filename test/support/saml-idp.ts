import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';
import { samlEndpoints, samlIdentityProvider } from '../../src/adapters/saml.ts';
import { parseConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import { samlRequestLedger, type AppDeps } from '../../src/deps.ts';
import { publicBaseUrl } from '../../src/domain/public-url.ts';
import { TEST_SESSION_SECRET } from './factories.ts';

/*
 * A SAML 2.0 identity provider for the tests, from samlify — an implementation independent of
 * node-saml, which Rådssvar uses: it reads Rådssvar's metadata and AuthnRequest (checking the
 * request's redirect-binding signature against the metadata's certificate) and answers with a
 * response whose assertion it signs, as AD FS and KOMBIT do. A tamper changes one thing of one answer.
 */

// samlify wants a validator for what it reads. Its schema validator (@authenio/samlify-node-xmllint,
// an emscripten build of libxml2) adds a process-wide uncaughtException handler that rethrows, on
// every call, which would take the test run down with it; here a message must at least be
// well-formed XML, and node-saml is the one that has to get the schema right.
samlify.setSchemaValidator({
  validate: (xml: string) =>
    new Promise((resolve, reject) => {
      const problems: string[] = [];
      const problem = (message: string) => void problems.push(message);
      new DOMParser({ errorHandler: { warning: () => undefined, error: problem, fatalError: problem } }).parseFromString(xml, 'text/xml');
      if (problems.length) reject(new Error(`not well-formed XML: ${problems.join('; ')}`));
      else resolve('well-formed');
    }),
});

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml/${name}`, import.meta.url), 'utf8');

/** Rådssvar's own key and certificate for the tests (SAML_SP_PRIVATE_KEY, SAML_SP_CERT). */
export const TEST_SP_KEYS = { privateKey: fixture('sp-key.pem'), cert: fixture('sp-cert.pem') };

/** The claim names AD FS sends, which are Rådssvar's defaults. */
export const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
export const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

/** One thing wrong with an answer, each of which Rådssvar must refuse. */
export type SamlTamper = 'wrong-audience' | 'expired' | 'bad-signature' | 'wrong-issuer' | 'other-request';

/** The person the provider vouches for. */
export interface SamlPerson {
  email?: string;
  name?: string;
}

/** What the provider posts back to the assertion consumer service. */
export interface SamlAnswer {
  acs: string;
  form: { SAMLResponse: string; RelayState?: string };
  requestId: string;
}

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The test provider's addresses and certificate, as a municipality gives them. */
export const TEST_IDP = {
  entityId: 'https://login.test-kommune.dk/adfs/services/trust',
  entryPoint: 'https://login.test-kommune.dk/adfs/ls/',
  logoutUrl: 'https://login.test-kommune.dk/adfs/ls/logout',
  cert: fixture('idp-cert.pem'),
};

/** Rådssvar's SAML_* for the test provider, with Rådssvar signing its requests. */
export const TEST_SAML_ENV: Record<string, string> = {
  SAML_ENTRY_POINT: TEST_IDP.entryPoint,
  SAML_IDP_ISSUER: TEST_IDP.entityId,
  SAML_IDP_CERT: TEST_IDP.cert,
  SAML_LOGOUT_URL: TEST_IDP.logoutUrl,
  SAML_SP_PRIVATE_KEY: TEST_SP_KEYS.privateKey,
  SAML_SP_CERT: TEST_SP_KEYS.cert,
  SAML_LABEL: 'Log ind med Test Kommunes login',
};

/** Rådssvar's configuration with the test provider's SAML_* (and any other variables given). */
export function testSamlConfig(overrides: Record<string, string> = {}) {
  return parseConfig({ NODE_ENV: 'test', SESSION_SECRET: TEST_SESSION_SECRET, DATABASE_URL: 'postgres://unused', ...TEST_SAML_ENV, ...overrides });
}

/** Gives a running test app the SAML login of the test provider, as SAML_* would at boot (the app's address is known only once it listens). */
export function attachTestSamlProvider(deps: AppDeps, db: Db): void {
  deps.config.saml = testSamlConfig().saml!;
  deps.samlProvider = samlIdentityProvider(deps.config.saml, samlEndpoints(publicBaseUrl(deps.config)), samlRequestLedger(db));
}

/** The test provider: the answers it gives to Rådssvar's requests. */
export class TestSamlIdp {
  readonly entityId = TEST_IDP.entityId;
  readonly entryPoint = TEST_IDP.entryPoint;
  readonly cert = TEST_IDP.cert;
  private readonly sp: samlify.ServiceProviderInstance;
  private readonly idp: samlify.IdentityProviderInstance;
  private readonly foreignIdp: samlify.IdentityProviderInstance;

  /** @param spMetadata Rådssvar's metadata, as served on /saml/metadata. */
  constructor(spMetadata: string) {
    this.sp = samlify.ServiceProvider({ metadata: spMetadata });
    const settings = {
      entityID: this.entityId,
      singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: TEST_IDP.entryPoint }],
      singleLogoutService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: TEST_IDP.logoutUrl }],
      wantAuthnRequestsSigned: true,
      nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'],
    };
    this.idp = samlify.IdentityProvider({ ...settings, privateKey: fixture('idp-key.pem'), signingCert: this.cert });
    this.foreignIdp = samlify.IdentityProvider({ ...settings, privateKey: fixture('other-key.pem'), signingCert: fixture('other-cert.pem') });
  }

  /**
   * Reads the AuthnRequest in the redirect Rådssvar sent the browser with (its signature checked)
   * and answers it for the person, with the provider's key — or as the tamper says.
   */
  async answer(authorizeUrl: string, person: SamlPerson, tamper?: SamlTamper): Promise<SamlAnswer> {
    const url = new URL(authorizeUrl);
    if (`${url.origin}${url.pathname}` !== this.entryPoint) throw new Error(`not this provider: ${authorizeUrl}`);
    // The signature covers the parameters as they were encoded in the address, in their order.
    const octetString = url.search
      .slice(1)
      .split('&')
      .filter((pair) => !pair.startsWith('Signature='))
      .join('&');
    const request = await this.idp.parseLoginRequest(this.sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
    const requestId = (request.extract as { request: { id: string } }).request.id;

    const acs = this.sp.entityMeta.getAssertionConsumerService('post') as string;
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const expired = tamper === 'expired';
    const values: Record<string, string> = {
      ID: `_${randomBytes(16).toString('hex')}`,
      AssertionID: `_${randomBytes(16).toString('hex')}`,
      Destination: acs,
      Audience: tamper === 'wrong-audience' ? 'https://et-andet-system.example.dk/saml' : this.sp.entityMeta.getEntityID(),
      SubjectRecipient: acs,
      Issuer: tamper === 'wrong-issuer' ? 'https://login.en-anden-kommune.dk/adfs/services/trust' : this.entityId,
      IssueInstant: at(expired ? -30 * 60_000 : 0),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: at(expired ? -30 * 60_000 : -1000),
      ConditionsNotOnOrAfter: at(expired ? -20 * 60_000 : 5 * 60_000),
      SubjectConfirmationDataNotOnOrAfter: at(expired ? -20 * 60_000 : 5 * 60_000),
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      NameID: `KOMMUNE\\${(person.email ?? 'ukendt').split('@')[0]}`,
      InResponseTo: tamper === 'other-request' ? `_${randomBytes(20).toString('hex')}` : requestId,
    };
    const attributes = [...(person.email ? [[EMAIL_CLAIM, person.email]] : []), ...(person.name ? [[NAME_CLAIM, person.name]] : [])]
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${escapeXml(name!)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xsi:type="xs:string">${escapeXml(value!)}</saml:AttributeValue></saml:Attribute>`,
      )
      .join('');
    const statements =
      `<saml:AuthnStatement AuthnInstant="${values.IssueInstant}" SessionIndex="_sess${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '');
    const signer = tamper === 'bad-signature' ? this.foreignIdp : this.idp;
    const response = await signer.createLoginResponse(
      this.sp,
      request as unknown as Parameters<typeof signer.createLoginResponse>[1],
      'post',
      {},
      {
        relayState: url.searchParams.get('RelayState') ?? undefined,
        customTagReplacement: (template: string) => {
          const xml = template
            .replace('{AuthnStatement}{AttributeStatement}', statements)
            .replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? escapeXml(values[key]!) : whole));
          return { id: values.ID!, context: xml };
        },
      },
    );
    const relayState = url.searchParams.get('RelayState');
    return { acs, form: { SAMLResponse: response.context, ...(relayState ? { RelayState: relayState } : {}) }, requestId };
  }
}
