import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import {
  attachTestSamlProvider,
  TEST_IDP,
  TEST_SP_KEYS,
  testSamlConfig as samlConfig,
  TestSamlIdp,
  type SamlAnswer,
  type SamlPerson,
  type SamlTamper,
} from '../support/saml-idp.ts';
import { expectSignedInThenLoggedOut } from '../support/sign-on.ts';
import { WebSession } from '../support/web-session.ts';

const REQUEST_COOKIE = 'raadssvar_saml_request';

describe('single sign-on with the municipality’s SAML 2.0 provider (answers from samlify, an independent implementation)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let idp: TestSamlIdp;
  const logLines: string[] = [];

  /** Rådssvar → the provider (the AuthnRequest read and answered there) → the answer as the provider's page would post it. */
  async function sendToProvider(web: WebSession, person: SamlPerson, tamper?: SamlTamper, next = '/') {
    const start = await web.get(`/login/saml?next=${encodeURIComponent(next)}`);
    expect(start.status, start.text.slice(0, 300)).to.equal(303);
    const cookie = start.headers.getSetCookie().find((line) => line.startsWith(`${REQUEST_COOKIE}=`))!;
    expect(cookie, 'the request is bound to this browser').to.match(/HttpOnly/i);
    return idp.answer(start.headers.get('location')!, person, tamper);
  }
  const post = (web: WebSession, answer: SamlAnswer) => web.postForm(new URL(answer.acs).pathname, answer.form);

  before(async () => {
    app = await startTestApp({ deps: { logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }) } });
    attachTestSamlProvider(app.deps, testDatabase().db);
    const metadata = await new WebSession(app.baseUrl).get('/saml/metadata');
    expect(metadata.headers.get('content-type')).to.match(/^application\/samlmetadata\+xml/);
    idp = new TestSamlIdp(metadata.text);
  });
  after(async () => {
    await app?.close();
  });

  it('serves metadata with the entity id, the assertion consumer service, the logout address and the signing certificate, never the key', async () => {
    const metadata = (await new WebSession(app.baseUrl).get('/saml/metadata')).text;
    expect(metadata).to.include(`entityID="${app.deps.config.publicUrl}/saml/metadata"`);
    expect(metadata).to.include(`Location="${app.deps.config.publicUrl}/login/saml/acs"`);
    expect(metadata).to.include('WantAssertionsSigned="true"');
    const certBody = TEST_SP_KEYS.cert.replace(/-----[^-]+-----|\s/g, '');
    expect(metadata.replace(/\s/g, '')).to.include(certBody);
    expect(metadata).to.not.include('PRIVATE KEY');
  });

  it('signs a known person in by the asserted e-mail, to the page they asked for, and logs out at the provider too', async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const login = await web.get('/login');
    expect(login.text).to.include('Log ind med Test Kommunes login');
    expect(login.text).to.include('href="/login/saml?next&#x3D;%2F"');
    const answer = await sendToProvider(web, { email: people.secretary.email.toUpperCase(), name: 'Mette fra kommunen' }, undefined, '/profile');
    const back = await post(web, answer);
    const providerLogout = await expectSignedInThenLoggedOut(web, back, { path: '/profile', councilName: people.council.name });
    expect(`${providerLogout.origin}${providerLogout.pathname}`).to.equal(TEST_IDP.logoutUrl);
    expect(providerLogout.searchParams.get('SAMLRequest'), 'a LogoutRequest').to.be.a('string');
    expect(providerLogout.searchParams.get('Signature'), 'signed with Rådssvar’s key').to.be.a('string');
    const returned = await web.get('/login/saml/logout?SAMLResponse=x');
    expect(returned.headers.get('location')).to.equal('/login');
    // Nothing of the assertion reaches the log.
    expect(logLines.join('\n')).to.not.include(answer.form.SAMLResponse.slice(0, 40));
  });

  it('refuses an assertion for another audience, an expired one, one signed by another key, one from another issuer and one answering another request — each on the login page, never logged in', async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    for (const tamper of ['wrong-audience', 'expired', 'bad-signature', 'wrong-issuer', 'other-request'] as const) {
      const web = new WebSession(app.baseUrl);
      const back = await post(web, await sendToProvider(web, { email: people.member.email }, tamper));
      expect(back.status, tamper).to.equal(401);
      expect(back.text, tamper).to.include('Svaret fra kommunens login kunne ikke godkendes');
      expect((await web.get('/')).status, `${tamper}: not logged in`).to.equal(303);
    }
  });

  it('refuses an unknown person and an answer without an e-mail, with the reason in Danish', async () => {
    const unknown = new WebSession(app.baseUrl);
    const refused = await post(unknown, await sendToProvider(unknown, { email: `ukendt-${unique()}@example.dk` }));
    expect(refused.status).to.equal(403);
    expect(refused.text).to.include('Du har ikke en bruger i Rådssvar');
    const nameless = new WebSession(app.baseUrl);
    const noEmail = await post(nameless, await sendToProvider(nameless, { name: 'Uden E-mail' }));
    expect(noEmail.status).to.equal(401);
    expect(noEmail.text).to.include('ikke bekræftet din e-mail');
  });

  it('counts an answer once: replayed, posted twice at the same time, or posted by a browser that did not send the request, it is refused', async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const answer = await sendToProvider(web, { email: people.chair.email });
    const bound = `${REQUEST_COOKIE}=${answer.requestId}`;
    const postWithCookie = () =>
      fetch(answer.acs, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: bound, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(answer.form).toString(),
      });
    const [first, second] = await Promise.all([postWithCookie(), postWithCookie()]);
    expect([first.status, second.status].sort(), 'exactly one of two simultaneous posts signs in').to.deep.equal([303, 401]);
    const replayed = await postWithCookie();
    expect(replayed.status).to.equal(401);

    // A browser that was never sent to the provider (a login forced on someone) is not signed in.
    const other = new WebSession(app.baseUrl);
    const fresh = await sendToProvider(new WebSession(app.baseUrl), { email: people.chair.email });
    const stray = await post(other, fresh);
    expect(stray.status).to.equal(400);
    expect(stray.text).to.include('Login med kommunens login blev ikke gennemført');
    expect((await other.get('/')).status).to.equal(303);
    // Not a SAMLResponse at all.
    const garbage = await new WebSession(app.baseUrl).postForm('/login/saml/acs', { RelayState: '/' });
    expect(garbage.status).to.equal(400);
  });

  it('sends the person only to a path of Rådssvar afterwards, whatever the RelayState says', async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const answer = await sendToProvider(web, { email: people.staff.email });
    const back = await post(web, { ...answer, form: { ...answer.form, RelayState: 'https://angriber.example.com/' } });
    expect(back.status).to.equal(303);
    expect(back.headers.get('location')).to.equal('/');
  });

  it('refuses a configuration with the provider half given or a certificate that is not one, in Danish', () => {
    expect(() => samlConfig({ SAML_IDP_CERT: '' })).to.throw(/SAML_ENTRY_POINT, SAML_IDP_ISSUER og SAML_IDP_CERT sættes sammen/);
    expect(() => samlConfig({ SAML_IDP_CERT: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----' })).to.throw(/SAML_IDP_CERT/);
    expect(() => samlConfig({ SAML_SP_CERT: '' })).to.throw(/SAML_SP_PRIVATE_KEY og SAML_SP_CERT sættes sammen/);
    expect(samlConfig().saml).to.include({ entryPoint: TEST_IDP.entryPoint, idpIssuer: TEST_IDP.entityId });
  });

  it('shows an admin the SAML settings and the addresses to register on /admin/sso, never Rådssvar’s key', async () => {
    const admin = await makeUser(testDatabase().db, { admin: true });
    const web = await WebSession.loggedIn(app.baseUrl, admin);
    const page = await web.get('/admin/sso');
    expect(page.status).to.equal(200);
    for (const words of [
      `${app.deps.config.publicUrl}/saml/metadata`,
      `${app.deps.config.publicUrl}/login/saml/acs`,
      TEST_IDP.entityId,
      TEST_IDP.entryPoint,
    ]) {
      expect(page.text).to.include(words);
    }
    expect(page.text, 'the fingerprint to compare with the provider’s').to.include(new X509Certificate(TEST_IDP.cert).fingerprint256);
    expect(page.text).to.not.include('PRIVATE KEY');
    expect(page.text).to.not.include(TEST_SP_KEYS.privateKey.split('\n')[1]!);
  });
});
