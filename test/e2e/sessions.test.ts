import { expect } from 'chai';
import { sign } from 'cookie-signature';
import { sql } from 'kysely';
import { purgeExpiredSessions, sessionIdHash } from '../../src/domain/auth/sessions.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { startTestApp, useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { statusUrlsFor } from '../../src/domain/consultations/status-links.ts';
import { makeConsultationInState, makeCouncilWithPeople, unique } from '../support/factories.ts';
import { startTestScheduler, waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/** The session id in a WebSession's cookie (`raadssvar.sid=s:<id>.<signature>`, URL-encoded). */
function sessionIdOf(web: WebSession): string {
  const value = decodeURIComponent(/raadssvar\.sid=([^;]+)/.exec(web.cookieHeader())?.[1] ?? '');
  expect(value.startsWith('s:'), 'a signed session cookie').to.equal(true);
  return value.slice(2, value.lastIndexOf('.'));
}

async function sessionRow(sid: string) {
  const { db } = testDatabase();
  const result = await sql<{
    sess: Record<string, unknown>;
    live: boolean;
  }>`select sess, expire >= now() as live from session where sid_hash = ${sessionIdHash(sid)}`.execute(db);
  return result.rows[0];
}

/** A GET with only the given Cookie header. */
async function getWithCookie(baseUrl: string, path: string, cookie: string) {
  const response = await fetch(baseUrl + path, { redirect: 'manual', headers: { cookie } });
  return { status: response.status, location: response.headers.get('location'), setCookie: response.headers.getSetCookie() };
}

describe('login sessions in PostgreSQL', function () {
  this.timeout(60_000);
  const app = useTestApp();

  it('login moves the visitor to a new session id and removes the old one; logout removes the session', async () => {
    const { secretary } = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    const page = await web.get('/login');
    const anonymous = sessionIdOf(web);
    // The login form's CSRF token is what the anonymous session holds.
    expect((await sessionRow(anonymous))?.sess).to.deep.equal({ csrfToken: WebSession.csrfToken(page.text) });

    await web.postForm('/login', { _csrf: WebSession.csrfToken(page.text), email: secretary.email, password: secretary.password, next: '/' });
    const loggedIn = sessionIdOf(web);
    expect(loggedIn).not.to.equal(anonymous);
    expect(await sessionRow(anonymous)).to.equal(undefined);
    const row = await sessionRow(loggedIn);
    expect(row?.sess).to.deep.include({ passport: { user: secretary.actor.userId } });
    expect(row?.live).to.equal(true);

    const queue = await web.get('/');
    expect(queue.status).to.equal(200);
    // A page that changes nothing in the session sets no cookie.
    expect(queue.headers.getSetCookie()).to.deep.equal([]);
    await web.postForm('/logout', { _csrf: WebSession.csrfToken(queue.text) });
    expect(await sessionRow(loggedIn)).to.equal(undefined);
  });

  it("stores only the SHA-256 of the session id: the row does not hold the cookie's id", async () => {
    const { secretary } = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(secretary.email, secretary.password);
    const sid = sessionIdOf(web);
    const rows = await sql<{
      sid_hash: string;
      sess: string;
    }>`select sid_hash, sess::text as sess from session where sid_hash = ${sessionIdHash(sid)}`.execute(testDatabase().db);
    expect(rows.rows).to.have.length(1);
    expect(rows.rows[0]!.sid_hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.include(sid);
    expect(rows.rows[0]!.sess).to.not.include(sid);
    const holdingId = await sql<{ n: string }>`select count(*) as n from session where position(${sid} in sid_hash || sess::text) > 0`.execute(
      testDatabase().db,
    );
    expect(Number(holdingId.rows[0]!.n)).to.equal(0);
  });

  it('lets nobody in on a forged signature, an unknown id or an expired session, and never takes an id from the client', async () => {
    const { secretary } = await makeCouncilWithPeople(testDatabase().db);
    const web = new WebSession(app.baseUrl);
    await web.logIn(secretary.email, secretary.password);
    const sid = sessionIdOf(web);
    expect((await web.get('/')).status).to.equal(200);

    const forged = `raadssvar.sid=${encodeURIComponent(`s:${sign(sid, 'en-anden-hemmelighed-en-anden-hemmelighed')}`)}`;
    const unknownId = 'ukendt-id-ukendt-id-ukendt-id-12';
    const unknown = `raadssvar.sid=${encodeURIComponent(`s:${sign(unknownId, SECRET)}`)}`;
    for (const cookie of [forged, unknown, `raadssvar.sid=${sid}`]) {
      const answer = await getWithCookie(app.baseUrl, '/', cookie);
      expect(answer.status, cookie).to.equal(303);
      expect(answer.location, cookie).to.match(/^\/login/);
    }
    const loginPage = await getWithCookie(app.baseUrl, '/login', unknown);
    const newId = decodeURIComponent(/raadssvar\.sid=([^;]+)/.exec(loginPage.setCookie.join(';'))?.[1] ?? '')
      .slice(2)
      .split('.')[0];
    expect(newId).to.be.a('string').and.not.equal(unknownId);
    expect(await sessionRow(unknownId)).to.equal(undefined);

    // Expired in the database: not let in on the next request.
    await sql`update session set expire = now() - interval '1 minute' where sid_hash = ${sessionIdHash(sid)}`.execute(testDatabase().db);
    expect((await web.get('/')).status).to.equal(303);
  });

  it('takes over sessions stored before, in express-session’s format with its cookie entry', async () => {
    const { db } = testDatabase();
    const { secretary } = await makeCouncilWithPeople(db);
    const sid = 'gammel-session-fra-express-session';
    const sess = {
      cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/', sameSite: 'lax' },
      passport: { user: secretary.actor.userId },
    };
    await sql`insert into session (sid_hash, sess, expire) values (${sessionIdHash(sid)}, ${JSON.stringify(sess)}::json, now() + interval '1 hour')`.execute(
      db,
    );
    const answer = await getWithCookie(app.baseUrl, '/', `raadssvar.sid=${encodeURIComponent(`s:${sign(sid, SECRET)}`)}`);
    expect(answer.status).to.equal(200);
    expect(answer.setCookie).to.deep.equal([]);
  });

  it('a NUL typed into a refused form is kept as U+FFFD, so the session and every other user’s password change still read the table', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const consultation = await makeConsultationInState(app.deps, people, 'drafting');
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    const page = await web.get(`/consultations/${consultation.id}`);
    const refused = await web.postForm(`/consultations/${consultation.id}/events`, {
      _csrf: WebSession.csrfToken(page.text),
      type: 'WITHDRAW',
      version: 'ikke-et-tal',
      reason: 'før\u0000efter',
    });
    expect(refused.status).to.equal(303);
    const stored = await sql<{
      reason: string;
    }>`select sess -> 'formFailures' -> ${`/consultations/${consultation.id}`} -> 'typed' ->> 'reason' as reason
      from session where sid_hash = ${sessionIdHash(sessionIdOf(web))}`.execute(db);
    expect(stored.rows[0]?.reason).to.equal('før\ufffdefter');
    const back = await web.follow(refused);
    expect(back.status).to.equal(200);
    expect(back.text).to.include('før\ufffdefter');

    // Ending another user's sessions scans every row's data: one unreadable row would refuse it.
    const other = new WebSession(app.baseUrl);
    await other.logIn(people.chair.email, people.chair.password);
    const profile = await other.get('/profile');
    const newPassword = `ny-adgangskode-${unique()}`;
    const changed = await other.postForm('/profile/password', {
      _csrf: WebSession.csrfToken(profile.text),
      currentPassword: people.chair.password,
      newPassword,
      confirmPassword: newPassword,
    });
    expect(changed.status).to.equal(303);
  });

  it('the purge removes expired sessions and keeps live ones', async () => {
    const { db } = testDatabase();
    await sql`insert into session (sid_hash, sess, expire) values (${sessionIdHash('purge-udloebet')}, '{}'::json, now() - interval '1 second'), (${sessionIdHash('purge-levende')}, '{}'::json, now() + interval '1 hour')`.execute(
      db,
    );
    expect(await purgeExpiredSessions(db)).to.be.at.least(1);
    expect(await sessionRow('purge-udloebet')).to.equal(undefined);
    expect(await sessionRow('purge-levende')).to.deep.include({ live: true });
  });

  it("the session-purge job of the app's workers removes expired sessions", async () => {
    const { db } = testDatabase();
    await sql`insert into session (sid_hash, sess, expire) values (${sessionIdHash('purge-job-udloebet')}, '{}'::json, now() - interval '1 second')`.execute(
      db,
    );
    // No mail is sent here; the SMTP address is never dialled.
    const scheduler = await startTestScheduler({ smtpUrl: 'smtp://127.0.0.1:9', clock: () => new Date() });
    try {
      await scheduler.jobs.boss.send(QUEUES.sessionPurge, {});
      await waitUntil(async () => (await sessionRow('purge-job-udloebet')) === undefined, 20_000, 'the purge job');
    } finally {
      await scheduler.stop();
    }
  });

  it('in production sets the Secure cookie only over HTTPS (a trusted proxy saying so)', async () => {
    const production = await startTestApp({ deps: { config: { ...app.deps.config, nodeEnv: 'production', trustProxy: 'loopback' } } });
    const untrusting = await startTestApp({ deps: { config: { ...app.deps.config, nodeEnv: 'production' } } });
    try {
      const plain = await fetch(`${production.baseUrl}/login`);
      expect(plain.headers.getSetCookie()).to.deep.equal([]);
      const unbelieved = await fetch(`${untrusting.baseUrl}/login`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(unbelieved.headers.getSetCookie(), 'X-Forwarded-Proto from a proxy not in TRUST_PROXY').to.deep.equal([]);
      const proxied = await fetch(`${production.baseUrl}/login`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(proxied.headers.getSetCookie().join(';'))
        .to.match(/raadssvar\.sid=s%3A/)
        .and.match(/Secure/)
        .and.match(/HttpOnly/);
    } finally {
      await production.close();
      await untrusting.close();
    }
  });
});

describe('sessions stored only when there is something to keep', function () {
  this.timeout(60_000);
  const app = useTestApp();

  async function sessionCount(): Promise<number> {
    const result = await sql<{ n: string }>`select count(*) as n from session`.execute(testDatabase().db);
    return Number(result.rows[0]!.n);
  }

  it("stores no session for an anonymous visitor's 404, status page, health check, static file, calendar feed or API request", async () => {
    const people = await makeCouncilWithPeople(testDatabase().db);
    const consultation = await makeConsultationInState(app.deps, people, 'received');
    const statusUrl = (await statusUrlsFor(app.deps, [consultation.id])).get(consultation.id)!;
    const requests: Array<[string, number]> = [
      ['/findes-ikke', 404],
      [new URL(statusUrl).pathname, 200],
      [`/status/${'A'.repeat(43)}`, 404],
      ['/healthz', 200],
      ['/static/css/app.css', 200],
      [`/calendar/cal_${'x'.repeat(40)}.ics`, 404],
      ['/api/v1/consultations', 401],
      ['/api/findes-ikke', 404],
    ];
    const before = await sessionCount();
    for (const [path, status] of requests) {
      const response = await fetch(app.baseUrl + path);
      expect(response.status, path).to.equal(status);
      expect(response.headers.getSetCookie(), path).to.deep.equal([]);
    }
    expect(await sessionCount()).to.equal(before);
  });

  it('stores one for the login page, whose form needs a CSRF token, and keeps using it when the form comes back', async () => {
    const before = await sessionCount();
    const web = new WebSession(app.baseUrl);
    const page = await web.get('/login');
    expect(await sessionCount()).to.equal(before + 1);
    const again = await web.postForm('/login', {
      _csrf: WebSession.csrfToken(page.text),
      email: `ukendt-${unique()}@example.dk`,
      password: 'forkert',
    });
    expect(again.status).to.equal(401);
    expect(WebSession.csrfToken(again.text)).to.equal(WebSession.csrfToken(page.text));
    expect(await sessionCount()).to.equal(before + 1);
  });
});
