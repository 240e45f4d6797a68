import { expect } from 'chai';
import { sql } from 'kysely';
import { sha256Hex } from '../../src/domain/auth/digest.ts';
import { RESET_TOKEN_TTL_MS } from '../../src/domain/auth/password-reset.ts';
import { startTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeUser, unique } from '../support/factories.ts';
import { startSmtp, startTestScheduler, waitUntil, type TestScheduler, type TestSmtp } from '../support/mail.ts';
import { WebSession, WebSessionFromOwnAddress as ClientAt } from '../support/web-session.ts';

// ClientAt: a session at an address of its own, so the failures these tests make count against no other test's address.

/** The message beside a field, by its id (`<p class="field-error" id="…-fejl">`). */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="${field}-fejl">([^<]+)<`).exec(html)?.[1];
}

describe('changing the password on /profile', () => {
  const app = useTestApp({ env: { TRUST_PROXY: 'loopback' } });

  it('refuses a wrong current password or a mismatch, and on success ends the other sessions and lets only the new password in', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const here = new ClientAt(app.baseUrl);
    const elsewhere = new ClientAt(app.baseUrl);
    expect((await here.logIn(email, password)).status).to.equal(303);
    expect((await elsewhere.logIn(email, password)).status).to.equal(303);
    const profile = await here.get('/profile');
    expect(profile.text).to.include('Skift adgangskode').and.include('autocomplete="current-password"').and.include('autocomplete="new-password"');
    const csrf = WebSession.csrfToken(profile.text);
    const newPassword = `ny-adgangskode-${unique()}`;

    const wrong = await here.postForm('/profile/password', {
      _csrf: csrf,
      currentPassword: 'forkert-gæt',
      newPassword,
      confirmPassword: newPassword,
    });
    expect(wrong.status).to.equal(422);
    expect(fieldError(wrong.text, 'currentPassword')).to.equal('Den nuværende adgangskode er forkert');
    expect(wrong.text, 'typed passwords are not sent back').to.not.include(newPassword);
    const mismatch = await here.postForm('/profile/password', {
      _csrf: csrf,
      currentPassword: password,
      newPassword,
      confirmPassword: `${newPassword}x`,
    });
    expect(mismatch.status).to.equal(422);
    expect(fieldError(mismatch.text, 'confirmPassword')).to.equal('De to nye adgangskoder er ikke ens');
    const short = await here.postForm('/profile/password', { _csrf: csrf, currentPassword: password, newPassword: 'kort', confirmPassword: 'kort' });
    expect(fieldError(short.text, 'newPassword')).to.equal('Adgangskoden skal være mindst 10 tegn');
    expect((await new ClientAt(app.baseUrl).logIn(email, password)).status, 'the refused changes changed nothing').to.equal(303);
    const noToken = await here.postForm('/profile/password', { currentPassword: password, newPassword, confirmPassword: newPassword });
    expect(noToken.status).to.equal(403);

    const changed = await here.postForm('/profile/password', { _csrf: csrf, currentPassword: password, newPassword, confirmPassword: newPassword });
    expect(changed.status).to.equal(303);
    expect(changed.headers.get('location')).to.equal('/profile?saved=password#adgangskode');
    expect((await here.get('/profile?saved=password')).text).to.include('Din adgangskode er skiftet');
    expect((await elsewhere.get('/')).headers.get('location'), 'the other session has ended').to.match(/^\/login/);
    expect((await new ClientAt(app.baseUrl).logIn(email, password)).status, 'the old password').to.equal(401);
    expect((await new ClientAt(app.baseUrl).logIn(email, newPassword)).status, 'the new password').to.equal(303);
  });
});

describe('resetting a forgotten password by e-mail', function () {
  this.timeout(120_000);
  let smtp: TestSmtp;
  let scheduler: TestScheduler;
  let app: TestApp;
  /** The app's clock runs this far ahead of the real one, to let links expire. */
  let clockAhead = 0;

  before(async () => {
    smtp = await startSmtp();
    scheduler = await startTestScheduler({ smtpUrl: smtp.url, clock: () => new Date() });
    app = await startTestApp({ env: { TRUST_PROXY: 'loopback' }, deps: { jobs: scheduler.jobs }, clock: () => new Date(Date.now() + clockAhead) });
  });
  after(async () => {
    await app?.close();
    await scheduler?.stop();
    await smtp?.close();
  });

  /** Asks for a reset link for `email` from a new session; returns the answer. */
  async function askForLink(email: string, client = new ClientAt(app.baseUrl)) {
    const page = await client.get('/password/forgot');
    expect(page.status).to.equal(200);
    return client.postForm('/password/forgot', { _csrf: WebSession.csrfToken(page.text), email });
  }

  /** The token of the newest reset mail to `email`, once it has arrived. */
  async function mailedToken(email: string, count = 1): Promise<string> {
    const mails = () => smtp.received.filter((m) => m.to.includes(email));
    await waitUntil(() => mails().length >= count, 60_000, `reset mail ${count} to ${email}`);
    // The worker that mails it builds the link from its PUBLIC_URL.
    const link = new RegExp(`${scheduler.deps.config.publicUrl}/password/reset/(pw_[A-Za-z0-9_-]+)`).exec(mails()[count - 1]!.raw);
    expect(link, 'a link built from PUBLIC_URL').to.not.equal(null);
    return link![1]!;
  }

  const notice = (html: string) => /role="status">([^<]+)</.exec(html)?.[1];

  it('links "Glemt adgangskode?" from the login page, and answers the same whether or not the e-mail exists', async () => {
    const login = await new WebSession(app.baseUrl).get('/login');
    expect(login.text).to.include('href="/password/forgot"').and.include('Glemt adgangskode?');
    const { email } = await makeUser(testDatabase().db);
    const known = await askForLink(email);
    const unknown = await askForLink(`ukendt-${unique()}@example.dk`);
    expect(known.status).to.equal(200);
    expect(unknown.status).to.equal(known.status);
    expect(notice(known.text)).to.include('Hvis e-mailen hører til en bruger');
    expect(unknown.text.replace(/[0-9a-f-]{36}/g, '')).to.equal(known.text.replace(/[0-9a-f-]{36}/g, ''));
    const token = await mailedToken(email);
    const rows = await sql<{ token_hash: string }>`select token_hash from password_reset_tokens where token_hash = ${sha256Hex(token)}`.execute(
      testDatabase().db,
    );
    expect(rows.rows, 'only the hash is stored').to.have.length(1);
    const holding = await sql<{ n: string }>`select count(*) as n from password_reset_tokens where position(${token} in token_hash) > 0`.execute(
      testDatabase().db,
    );
    expect(Number(holding.rows[0]!.n)).to.equal(0);
  });

  it('sets the new password with the link once: all sessions end, only the new password works, and the link is used up', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const loggedIn = new ClientAt(app.baseUrl);
    expect((await loggedIn.logIn(email, password)).status).to.equal(303);
    await askForLink(email);
    const token = await mailedToken(email);

    const visitor = new ClientAt(app.baseUrl);
    const form = await visitor.get(`/password/reset/${token}`);
    expect(form.status).to.equal(200);
    expect(form.text).to.include('autocomplete="new-password"').and.include('for="newPassword"');
    const csrf = WebSession.csrfToken(form.text);
    const newPassword = `nulstillet-${unique()}`;
    const mismatch = await visitor.postForm(`/password/reset/${token}`, { _csrf: csrf, newPassword, confirmPassword: 'noget-andet-helt' });
    expect(mismatch.status).to.equal(422);
    expect(fieldError(mismatch.text, 'confirmPassword')).to.equal('De to nye adgangskoder er ikke ens');

    const done = await visitor.postForm(`/password/reset/${token}`, { _csrf: csrf, newPassword, confirmPassword: newPassword });
    expect(done.status).to.equal(200);
    expect(notice(done.text)).to.equal('Din adgangskode er skiftet. Log ind med den nye.');
    expect((await loggedIn.get('/')).headers.get('location'), 'the session from before has ended').to.match(/^\/login/);
    expect((await new ClientAt(app.baseUrl).logIn(email, password)).status, 'the old password').to.equal(401);
    expect((await new ClientAt(app.baseUrl).logIn(email, newPassword)).status, 'the new password').to.equal(303);

    const again = await visitor.get(`/password/reset/${token}`);
    expect(again.status).to.equal(404);
    expect(again.text).to.include('Linket virker ikke længere');
    const reused = await visitor.postForm(`/password/reset/${token}`, {
      _csrf: csrf,
      newPassword: 'endnu-en-adgangskode',
      confirmPassword: 'endnu-en-adgangskode',
    });
    expect(reused.status).to.equal(404);
    expect((await new ClientAt(app.baseUrl).logIn(email, newPassword)).status, 'the reused link changed nothing').to.equal(303);
  });

  it('a link stops working after an hour', async () => {
    const { email } = await makeUser(testDatabase().db);
    await askForLink(email);
    const token = await mailedToken(email);
    expect((await new ClientAt(app.baseUrl).get(`/password/reset/${token}`)).status).to.equal(200);
    clockAhead = RESET_TOKEN_TTL_MS + 60_000;
    try {
      const visitor = new ClientAt(app.baseUrl);
      const expired = await visitor.get(`/password/reset/${token}`);
      expect(expired.status).to.equal(404);
      expect(expired.text).to.include('Linket virker ikke længere');
    } finally {
      clockAhead = 0;
    }
  });

  it('throttles requests for one e-mail, known or not, with the same answer', async () => {
    const { email } = await makeUser(testDatabase().db);
    const unknownEmail = `ukendt-${unique()}@example.dk`;
    for (const address of [email, unknownEmail]) {
      const client = new ClientAt(app.baseUrl);
      for (let i = 1; i <= 3; i++) expect((await askForLink(address, client)).status, `request ${i}`).to.equal(200);
      const throttled = await askForLink(address, client);
      expect(throttled.status).to.equal(429);
      expect(throttled.text).to.include('Der er bedt om for mange nye adgangskoder');
      expect(Number(throttled.headers.get('retry-after'))).to.be.greaterThan(0);
    }
  });

  it('refuses a malformed e-mail with a message beside the field, keeping what was typed', async () => {
    const answer = await askForLink('ikke-en-mail');
    expect(answer.status).to.equal(422);
    expect(fieldError(answer.text, 'email')).to.equal('Ugyldig e-mailadresse');
    expect(answer.text).to.include('value="ikke-en-mail"');
  });
});
