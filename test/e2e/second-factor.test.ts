import { expect } from 'chai';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { findSecondFactor } from '../../src/db/repositories/second-factor.ts';
import { useTestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { nextCode, rememberSecret, secretOnPage } from '../support/second-factor.ts';
import { WebSession } from '../support/web-session.ts';

/** The recovery codes a page shows once. */
function recoveryCodesOn(html: string): string[] {
  return [...html.matchAll(/<li><code>([A-Z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
}

/** A password login that stops before the second step: the session, and where the POST sent it. */
async function passwordOnly(baseUrl: string, user: { email: string; password: string }) {
  const web = new WebSession(baseUrl);
  const page = await web.get('/login');
  const answer = await web.postForm('/login', { _csrf: WebSession.csrfToken(page.text), email: user.email, password: user.password, next: '/admin' });
  return { web, answer };
}

async function submitCode(web: WebSession, code: string) {
  const step = await web.get('/login/second-factor');
  return web.postForm('/login/second-factor', { _csrf: WebSession.csrfToken(step.text), code });
}

describe('a second factor for administrators who sign in with a password (TOTP and recovery codes)', function () {
  this.timeout(120_000);
  const app = useTestApp();
  after(async () => {
    // The wrong codes below count against 127.0.0.1 in the login throttle, which later files share.
    await sql`delete from login_throttle`.execute(testDatabase().db);
  });

  it('makes an administrator set one up before anything else: the QR code and key shown, a wrong code refused in Danish, the recovery codes shown once and stored hashed', async () => {
    const { db } = testDatabase();
    const admin = await makeUser(db, { admin: true });
    const { web, answer } = await passwordOnly(app.baseUrl, admin);
    expect(answer.status).to.equal(303);
    expect(answer.headers.get('location')).to.equal('/admin');
    // Every page leads to the set-up; a form elsewhere is refused.
    const admin404 = await web.get('/admin');
    expect(admin404.status).to.equal(303);
    expect(admin404.headers.get('location')).to.equal('/profile/second-factor');
    const page = await web.get('/profile/second-factor');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<svg');
    expect(page.text).to.not.match(/<img|<script/);
    const secret = secretOnPage(page.text)!;
    expect(secret).to.match(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const csrf = WebSession.csrfToken(page.text);
    const elsewhere = await web.postForm('/profile/reminders', { _csrf: csrf, remind: 'x' });
    expect(elsewhere.status).to.equal(403);
    // A reload shows the same key, so a code already scanned keeps working.
    expect(secretOnPage((await web.get('/profile/second-factor')).text)).to.equal(secret);

    const wrong = await web.postForm('/profile/second-factor', { _csrf: csrf, code: '000000' });
    expect(wrong.status).to.equal(422);
    expect(wrong.text).to.include('Koden er forkert');
    rememberSecret(admin.email, secret);
    const done = await web.postForm('/profile/second-factor', { _csrf: csrf, code: await nextCode(admin.email) });
    expect(done.status).to.equal(200);
    expect(done.headers.get('cache-control')).to.include('no-store');
    const codes = recoveryCodesOn(done.text);
    expect(codes).to.have.length(10);
    expect(new Set(codes).size).to.equal(10);
    expect((await web.get('/admin')).status).to.equal(200);

    // Nothing readable is stored: the secret sealed, the codes as hashes.
    const row = await findSecondFactor(db, admin.actor.userId);
    expect(row!.totp_secret_sealed).to.be.a('string').and.not.include(secret.replace(/ /g, ''));
    const stored = await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', admin.actor.userId).execute();
    expect(stored).to.have.length(10);
    for (const { code_hash } of stored) expect(codes.map((c) => c.replace('-', ''))).to.not.include(code_hash);
    // Once set up, the page shows no key any more.
    expect(secretOnPage((await web.get('/profile/second-factor')).text)).to.equal(undefined);
  });

  it('asks for the code after the password; the half-logged-in session opens nothing; a wrong or replayed code is refused; a recovery code works once', async () => {
    const { db } = testDatabase();
    const admin = await makeUser(db, { admin: true });
    const first = await WebSession.loggedIn(app.baseUrl, admin);
    const enrolled = await first.get('/profile/second-factor');
    expect(enrolled.text).to.include('Du har 10 ubrugte gendannelseskoder');
    // The recovery codes of a fresh set: made from the page as the admin sees it.
    const fresh = await first.postForm('/profile/second-factor/recovery-codes', {
      _csrf: WebSession.csrfToken(enrolled.text),
      code: await nextCode(admin.email),
    });
    const codes = recoveryCodesOn(fresh.text);
    expect(codes).to.have.length(10);

    const { web, answer } = await passwordOnly(app.baseUrl, admin);
    expect(answer.headers.get('location')).to.equal('/login/second-factor');
    // Not logged in yet: the administration hides itself (404) and the pages ask for a login.
    expect((await web.get('/admin')).status).to.equal(404);
    for (const path of ['/', '/profile']) {
      const page = await web.get(path);
      expect(page.status, path).to.equal(303);
      expect(page.headers.get('location'), path).to.match(/^\/login/);
    }
    const wrong = await submitCode(web, '123456');
    expect(wrong.status).to.equal(422);
    expect(wrong.text).to.include('Koden er forkert');
    const code = await nextCode(admin.email);
    const ok = await submitCode(web, code);
    expect(ok.status).to.equal(303);
    expect(ok.headers.get('location')).to.equal('/admin');
    expect((await web.get('/admin')).status).to.equal(200);

    // The same code again, in another login: refused.
    const again = await passwordOnly(app.baseUrl, admin);
    const replayed = await submitCode(again.web, code);
    expect(replayed.status).to.equal(422);
    // A recovery code (typed in lower case, without the dash) works once and says how many are left.
    const recovered = await submitCode(again.web, codes[0]!.replace('-', '').toLowerCase());
    expect(recovered.status).to.equal(303);
    const after = await again.web.follow(recovered);
    expect(after.path).to.equal('/profile/second-factor');
    expect(after.text).to.include('Du har 9 tilbage');
    const third = await passwordOnly(app.baseUrl, admin);
    expect((await submitCode(third.web, codes[0]!)).status).to.equal(422);
  });

  it('throttles wrong codes like passwords, leaves people who are not administrators alone, and another administrator or the CLI resets a lost factor', async () => {
    const { db } = testDatabase();
    const admin = await makeUser(db, { admin: true });
    await WebSession.loggedIn(app.baseUrl, admin);
    const { web } = await passwordOnly(app.baseUrl, admin);
    let last = await submitCode(web, '000001');
    for (let i = 0; i < 6 && last.status !== 429; i += 1) last = await submitCode(web, '000001');
    expect(last.status).to.equal(429);
    expect(last.headers.get('retry-after')).to.match(/^\d+$/);
    expect(last.text).to.include('For mange');
    await sql`delete from login_throttle where key like ${`%second-factor:${admin.actor.userId}%`}`.execute(db);

    // A secretary logs in with the password alone.
    const people = await makeCouncilWithPeople(db);
    const secretary = await passwordOnly(app.baseUrl, people.secretary);
    expect(secretary.answer.headers.get('location')).to.equal('/admin');
    expect((await secretary.web.get('/')).status).to.equal(200);

    // Another administrator resets it: the next login sets up a new one.
    const other = await makeUser(db, { admin: true });
    const otherWeb = await WebSession.loggedIn(app.baseUrl, other);
    const userPage = await otherWeb.get(`/admin/users/${admin.actor.userId}`);
    expect(userPage.text).to.include('Nulstil totrinsbekræftelsen');
    const reset = await otherWeb.postForm(`/admin/users/${admin.actor.userId}/second-factor/reset`, { _csrf: WebSession.csrfToken(userPage.text) });
    expect((await otherWeb.follow(reset)).text).to.include('Totrinsbekræftelsen er nulstillet');
    const afterReset = await passwordOnly(app.baseUrl, admin);
    expect(afterReset.answer.headers.get('location')).to.equal('/admin');
    expect((await afterReset.web.get('/admin')).headers.get('location')).to.equal('/profile/second-factor');

    // The CLI resets it by e-mail, for a sole administrator who is locked out.
    const secret = secretOnPage((await afterReset.web.get('/profile/second-factor')).text)!.replace(/ /g, '');
    await afterReset.web.postForm('/profile/second-factor', {
      _csrf: WebSession.csrfToken((await afterReset.web.get('/profile/second-factor')).text),
      code: await generate({ secret }),
    });
    expect((await findSecondFactor(db, admin.actor.userId))!.totp_confirmed_at).to.be.instanceOf(Date);
    const cli = await runCli(['user', 'second-factor-reset', '--email', admin.email]);
    expect(cli.code, cli.stderr).to.equal(0);
    expect((await findSecondFactor(db, admin.actor.userId))!.totp_confirmed_at).to.equal(null);
    // The session that passed the old factor stays; a session that never passed one is no login once a factor exists.
    expect((await afterReset.web.get('/admin')).headers.get('location')).to.equal('/profile/second-factor');
  });
});
