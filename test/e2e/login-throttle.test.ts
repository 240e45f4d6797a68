import { expect } from 'chai';
import { sql } from 'kysely';
import { LOGIN_LIMITS } from '../../src/domain/auth/throttle.ts';
import { useTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeUser, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

/** A documentation address (RFC 5737) no other test uses, as a client's own or a spoofed one. */
function someAddress(): string {
  return `198.51.100.${Math.floor(Math.random() * 254) + 1}`;
}

/** Opens the login form in a new session; `send` then posts it with X-Forwarded-For: `forwardedFor`. */
async function loginForm(app: TestApp) {
  const web = new WebSession(app.baseUrl);
  const csrf = WebSession.csrfToken((await web.get('/login')).text);
  return {
    send: (email: string, password: string, forwardedFor: string) =>
      web.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
        body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
      }),
  };
}

async function logInFrom(app: TestApp, email: string, password: string, forwardedFor: string): Promise<number> {
  return (await (await loginForm(app)).send(email, password, forwardedFor)).status;
}

/** Fails `count` logins of `email`, each X-Forwarded-For from `addresses()`; each must be a 401. */
async function failLogins(app: TestApp, email: string, count: number, addresses: () => string): Promise<void> {
  for (let attempt = 1; attempt <= count; attempt++) {
    expect(await logInFrom(app, email, 'forkert-gæt', addresses()), `failed attempt ${attempt}`).to.equal(401);
  }
}

describe('login throttle: the address counted', () => {
  describe('with no TRUST_PROXY (the default)', () => {
    const app = useTestApp();
    // These failures count against the loopback address every other test logs in from.
    after(async () => {
      await sql`delete from login_throttle where key in ('login_address:127.0.0.1', 'login_address:::ffff:127.0.0.1')`.execute(testDatabase().db);
    });

    it('ignores a spoofed X-Forwarded-For: failures sent with a new address each time still block the account at the real one', async () => {
      const { email, password } = await makeUser(testDatabase().db);
      await failLogins(app, email, LOGIN_LIMITS.perAccountAndAddress.points, someAddress);
      expect(await logInFrom(app, email, password, someAddress())).to.equal(429);
    });
  });

  describe('with TRUST_PROXY=loopback', () => {
    const app = useTestApp({ env: { TRUST_PROXY: 'loopback' } });

    it('takes the client address from X-Forwarded-For of the trusted proxy', async () => {
      const { email, password } = await makeUser(testDatabase().db);
      await failLogins(app, email, LOGIN_LIMITS.perAccountAndAddress.points, someAddress);
      expect(await logInFrom(app, email, password, someAddress())).to.equal(303);
    });
  });
});

describe('login throttle: limits that hold', () => {
  const app = useTestApp({ env: { TRUST_PROXY: 'loopback' } });

  it('checks the password of at most the limit of 40 concurrent wrong attempts on one account', async () => {
    const { email } = await makeUser(testDatabase().db);
    const address = someAddress();
    const forms = await Promise.all(Array.from({ length: 40 }, () => loginForm(app)));
    const statuses = await Promise.all(forms.map((form) => form.send(email, 'forkert-gæt', address).then((r) => r.status)));
    // A 401 is an attempt whose password was checked; a 429 was stopped before that.
    expect(statuses.filter((s) => s === 401)).to.have.length(LOGIN_LIMITS.perAccountAndAddress.points);
    expect(statuses.filter((s) => s === 429)).to.have.length(40 - LOGIN_LIMITS.perAccountAndAddress.points);
  });

  it('does not lock the real user out when someone else fails five times from another address', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const attacker = someAddress();
    await failLogins(app, email, LOGIN_LIMITS.perAccountAndAddress.points, () => attacker);
    expect(await logInFrom(app, email, password, attacker), 'the guessing address is blocked').to.equal(429);
    expect(await logInFrom(app, email, password, `192.0.2.${Math.floor(Math.random() * 254) + 1}`), 'the user elsewhere').to.equal(303);
  });

  it('forgets the failures of an account at an address when it logs in there', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const address = someAddress();
    const almost = LOGIN_LIMITS.perAccountAndAddress.points - 1;
    await failLogins(app, email, almost, () => address);
    expect(await logInFrom(app, email, password, address)).to.equal(303);
    // Without the reset these would make more than the limit.
    await failLogins(app, email, almost, () => address);
    expect(await logInFrom(app, email, password, address)).to.equal(303);
  });

  it('blocks an address after many failures on different accounts, and no other address', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const address = `203.0.113.${Math.floor(Math.random() * 254) + 1}`;
    for (let i = 0; i < LOGIN_LIMITS.perAddress.points; i++) {
      expect(await logInFrom(app, `spray-${i}-${unique()}@example.dk`, 'gæt', address)).to.equal(401);
    }
    expect(await logInFrom(app, email, password, address)).to.equal(429);
    expect(await logInFrom(app, email, password, someAddress())).to.equal(303);
  });
});
