import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

describe('login, sessions and CSRF', () => {
  const app = useTestApp();

  it('serves a Danish login page with a CSRF token and strict headers', async () => {
    const page = await new WebSession(app.baseUrl).get('/login');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<html lang="da">').and.include('Adgangskode');
    expect(WebSession.csrfToken(page.text)).to.have.length.greaterThan(20);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("script-src 'self'").and.not.include('unsafe-inline');
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i);
  });

  it('logs in, shows the queue of the user’s councils, and logs out', async () => {
    const { secretary, council } = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const login = await web.logIn(secretary.email, secretary.password);
    expect(login.status).to.equal(303);
    expect(login.headers.get('location')).to.equal('/');
    const queue = await web.get('/');
    expect(queue.status).to.equal(200);
    expect(queue.text).to.include('<h1>Høringer</h1>').and.include(council.name);
    const logout = await web.postForm('/logout', { _csrf: WebSession.csrfToken(queue.text) });
    expect(logout.status).to.equal(303);
    expect((await web.get('/')).headers.get('location')).to.match(/^\/login/);
  });

  it('gives the same answer for an unknown e-mail and a wrong password, and keeps the e-mail typed', async () => {
    const { email } = await makeUser(testDatabase().db);
    const wrong = await new WebSession(app.baseUrl).logIn(email, 'forkert-adgangskode');
    const unknown = await new WebSession(app.baseUrl).logIn(`ukendt-${unique()}@example.dk`, 'forkert-adgangskode');
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    const message = (html: string) => /role="alert"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(message(wrong.text)).to.equal('E-mail eller adgangskode er forkert.');
    expect(message(unknown.text)).to.equal(message(wrong.text));
    expect(wrong.text).to.include(`value="${email}"`);
  });

  it('throttles failed logins per account, across sessions, even for the right password', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await new WebSession(app.baseUrl).logIn(email, 'forkert')).status, `attempt ${attempt}`).to.equal(401);
    }
    const blocked = await new WebSession(app.baseUrl).logIn(email, password);
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.include('For mange mislykkede login-forsøg');
    expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('rejects a POST without the CSRF token', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    await web.get('/login');
    const response = await web.postForm('/login', { email, password });
    expect(response.status).to.equal(403);
    expect(response.text).to.include('Formularen var for gammel');
    const forged = await web.postForm('/login', { email, password, _csrf: 'forfalsket' });
    expect(forged.status).to.equal(403);
  });

  it('never sends a visitor elsewhere after login', async () => {
    const { email, password } = await makeUser(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const page = await web.get('/login');
    const response = await web.postForm('/login', { _csrf: WebSession.csrfToken(page.text), email, password, next: '//evil.example/' });
    expect(response.headers.get('location')).to.equal('/');
  });
});
