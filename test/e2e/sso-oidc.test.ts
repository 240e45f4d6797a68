import { expect } from 'chai';
import { oidcIdentityProvider } from '../../src/adapters/oidc.ts';
import { findUserByEmail } from '../../src/db/repositories/users.ts';
import { saveSsoDomainAsAdmin } from '../../src/domain/auth/single-sign-on.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { startOidcServer, type OidcServer } from '../support/oidc-server.ts';
import { expectSignedInThenLoggedOut } from '../support/sign-on.ts';
import { WebSession } from '../support/web-session.ts';

/** Logs in with the municipality's login: Rådssvar → the provider's pages → back. Returns the callback's answer. */
async function signOn(web: WebSession, idp: OidcServer, next = '/') {
  const start = await web.get(`/login/sso?next=${encodeURIComponent(next)}`);
  expect(start.status, start.text.slice(0, 300)).to.equal(303);
  const authorization = new URL(start.headers.get('location')!);
  expect(authorization.origin).to.equal(idp.issuer);
  expect(authorization.searchParams.get('code_challenge_method')).to.equal('S256');
  expect(authorization.searchParams.get('state')).to.be.a('string');
  const back = await idp.authorize(authorization.href);
  return web.get(back.pathname + back.search);
}

describe('single sign-on with the municipality’s OpenID Connect provider (a real oidc-provider)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let idp: OidcServer;
  const logLines: string[] = [];

  before(async () => {
    app = await startTestApp({ deps: { logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }) } });
    idp = await startOidcServer(app.deps.config.publicUrl!);
    app.deps.identityProvider = oidcIdentityProvider({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      label: 'Log ind med Næstved-login',
    });
  });
  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  it('signs a known person in by their verified e-mail, with roles given in Rådssvar, and logs out at the provider too', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const web = new WebSession(app.baseUrl);
    const login = await web.get('/login');
    expect(login.text).to.include('Log ind med Næstved-login');
    idp.signInAs({ sub: `sub-${unique()}`, email: people.secretary.email.toUpperCase(), email_verified: true, name: 'Mette fra kommunen' });
    const back = await signOn(web, idp, '/profile');
    const providerLogout = await expectSignedInThenLoggedOut(web, back, { path: '/profile', councilName: people.council.name });
    expect(providerLogout.origin).to.equal(idp.issuer);
    expect(providerLogout.searchParams.get('id_token_hint')).to.be.a('string');
    expect(providerLogout.searchParams.get('post_logout_redirect_uri')).to.equal(`${app.deps.config.publicUrl}/login`);
    // Nothing of the tokens or the client secret reaches the log.
    const log = logLines.join('\n');
    expect(log).to.not.include(idp.clientSecret);
    expect(log).to.not.include(providerLogout.searchParams.get('id_token_hint')!);
  });

  it('an administrator who signs in with the municipality’s login is not asked for Rådssvar’s second factor', async () => {
    const admin = await makeUser(testDatabase().db, { admin: true });
    const web = new WebSession(app.baseUrl);
    idp.signInAs({ sub: `sub-${unique()}`, email: admin.email, email_verified: true });
    expect((await signOn(web, idp, '/admin')).headers.get('location')).to.equal('/admin');
    expect((await web.get('/admin')).status).to.equal(200);
  });

  it('refuses an unknown person, an unverified e-mail, and an ID token for another audience, expired or signed by another key — each on the login page, never logged in', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const cases: {
      name: string;
      claims: Parameters<OidcServer['signInAs']>[0];
      tamper?: Parameters<OidcServer['tamperNextToken']>[0];
      status: number;
      words: string;
    }[] = [
      {
        name: 'unknown',
        claims: { sub: `s-${unique()}`, email: `ukendt-${unique()}@example.dk`, email_verified: true },
        status: 403,
        words: 'Du har ikke en bruger i Rådssvar',
      },
      {
        name: 'unverified',
        claims: { sub: `s-${unique()}`, email: people.member.email, email_verified: false },
        status: 401,
        words: 'ikke bekræftet din e-mail',
      },
      ...(['wrong-audience', 'expired', 'bad-signature'] as const).map((tamper) => ({
        name: tamper,
        claims: { sub: `s-${unique()}`, email: people.member.email, email_verified: true },
        tamper,
        status: 401,
        words: 'Svaret fra kommunens login kunne ikke godkendes',
      })),
    ];
    for (const c of cases) {
      const web = new WebSession(app.baseUrl);
      idp.signInAs(c.claims);
      if (c.tamper) idp.tamperNextToken(c.tamper);
      const back = await signOn(web, idp);
      expect(back.status, c.name).to.equal(c.status);
      expect(back.text, c.name).to.include(c.words);
      expect((await web.get('/')).status, `${c.name}: not logged in`).to.equal(303);
    }
    // A callback without a login under way (or replayed) is refused too.
    const stray = await new WebSession(app.baseUrl).get('/login/sso/callback?code=abc&state=def');
    expect(stray.status).to.equal(400);
  });

  it('makes a user without roles for an unknown person only where the domain allows it, and refuses the password where the domain requires the municipality’s login', async () => {
    const { db } = testDatabase();
    const admin = await makeUser(db, { admin: true });
    const domain = `kommune-${unique()}.dk`;
    await saveSsoDomainAsAdmin({ db }, admin.actor, { domain, createUsers: 'on', requireSso: 'on' });
    const email = `ny.medarbejder@${domain}`;
    const web = new WebSession(app.baseUrl);
    idp.signInAs({ sub: `s-${unique()}`, email, email_verified: true, name: 'Ny Medarbejder' });
    expect((await signOn(web, idp)).status).to.equal(303);
    const user = await findUserByEmail(db, email);
    expect(user).to.include({ name: 'Ny Medarbejder', is_admin: false });
    const queue = await web.get('/');
    expect(queue.text).to.include('Du er ikke tilknyttet et råd endnu');

    // Password login for the domain is refused with a pointer to the button, before any password is checked.
    const other = await makeUser(db, { email: `kollega-${unique()}@${domain}` });
    const pwd = new WebSession(app.baseUrl);
    const page = await pwd.get('/login');
    const refused = await pwd.postForm('/login', { _csrf: WebSession.csrfToken(page.text), email: other.email, password: other.password, next: '/' });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.include('Din kommune logger ind med kommunens eget login');
    expect(refused.text).to.include('Log ind med Næstved-login');
  });

  it('lets an admin manage the domains on /admin/sso, shows the addresses to register and never the client secret, and refuses a bad domain in Danish', async () => {
    const admin = await makeUser(testDatabase().db, { admin: true });
    const web = await WebSession.loggedIn(app.baseUrl, admin);
    const page = await web.get('/admin/sso');
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`${app.deps.config.publicUrl}/login/sso/callback`);
    expect(page.text).to.not.include(idp.clientSecret);
    const csrf = WebSession.csrfToken(page.text);
    const bad = await web.postForm('/admin/sso/domains', { _csrf: csrf, domain: 'navn@kommune dk' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.include('Et domæne som naestved.dk');
    expect(bad.text).to.include('value="navn@kommune dk"');
    const domain = `test-${unique()}.dk`;
    const saved = await web.postForm('/admin/sso/domains', { _csrf: csrf, domain: domain.toUpperCase(), requireSso: 'on' });
    const listed = await web.follow(saved);
    expect(listed.text).to.include(`<td data-label="Domæne">${domain}</td>`);
    const removed = await web.postForm(`/admin/sso/domains/${domain}/delete`, { _csrf: csrf });
    expect((await web.follow(removed)).text).to.not.include(`<td data-label="Domæne">${domain}</td>`);
    // Not an admin: the page does not exist.
    const people = await makeCouncilWithPeople(testDatabase().db);
    expect((await (await WebSession.loggedIn(app.baseUrl, people.secretary)).get('/admin/sso')).status).to.equal(404);
  });
});
