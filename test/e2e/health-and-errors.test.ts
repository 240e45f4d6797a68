import { expect } from 'chai';
import { connect } from 'node:net';
import { createDatabase } from '../../src/db/database.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { WebSession } from '../support/web-session.ts';
import { testDatabase, testDatabaseUrl } from '../support/db.ts';
import { makeUser } from '../support/factories.ts';
import { waitUntil } from '../support/mail.ts';

/** A pool on the test server for a database that does not exist: every query fails, and not for a reason that passes. */
function misconfiguredDatabase() {
  const url = new URL(testDatabaseUrl());
  url.pathname = '/raadssvar_findes_ikke';
  return createDatabase(url.toString(), { max: 1 });
}

describe('health and error pages', () => {
  const app = useTestApp();

  it('answers /healthz with 200 when the database answers', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('shows a Danish 404 page, and NOT_FOUND JSON under /api', async () => {
    const page = await new WebSession(app.baseUrl).get('/findes-ikke');
    expect(page.status).to.equal(404);
    expect(page.text).to.include('Siden findes ikke');
  });

  describe('with the database down', () => {
    let down: TestApp;
    before(async () => {
      // A pool pointing at a port where nothing listens: every query fails, until it listens again.
      const dead = createDatabase('postgres://x:y@127.0.0.1:9/none', { max: 1 });
      down = await startTestApp({ deps: { db: dead.db, pool: dead.pool } });
    });
    after(() => down.close());

    it('answers /healthz with 503', async () => {
      const response = await fetch(`${down.baseUrl}/healthz`);
      expect(response.status).to.equal(503);
    });

    it('answers the API with SERVICE_UNAVAILABLE, 503 and Retry-After, never the connection error', async () => {
      const response = await fetch(`${down.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_x' } });
      expect(response.status).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal('5');
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).to.equal('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(body)).not.to.include('ECONNREFUSED');
    });
  });

  describe('with the database misconfigured', () => {
    let broken: TestApp;
    before(async () => {
      const missing = misconfiguredDatabase();
      broken = await startTestApp({ deps: { db: missing.db, pool: missing.pool } });
    });
    after(() => broken.close());

    it('answers the API with INTERNAL JSON and a request id', async () => {
      const response = await fetch(`${broken.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_x' } });
      expect(response.status).to.equal(500);
      const body = (await response.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).to.equal('INTERNAL');
      expect(body.error.requestId).to.equal(response.headers.get('x-request-id'));
      expect(JSON.stringify(body)).not.to.include('raadssvar_findes_ikke');
    });

    it('shows a 500 page with a request id and no stack trace', async () => {
      // A valid signed session cookie from the working app makes the broken one ask its store.
      const { email, password } = await makeUser(testDatabase().db);
      const web = new WebSession(app.baseUrl);
      await web.logIn(email, password);
      const cookie = (web as unknown as { cookies: Map<string, string> }).cookies;
      const page = await fetch(`${broken.baseUrl}/`, { headers: { cookie: [...cookie].map(([k, v]) => `${k}=${v}`).join('; ') } }).then(
        async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }),
      );
      expect(page.status).to.equal(500);
      const requestId = page.headers.get('x-request-id');
      expect(requestId).to.match(/^[0-9a-f-]{36}$/);
      expect(page.text).to.include(requestId!).and.include('Der opstod en fejl');
      expect(page.text).not.to.match(/at .*\.ts:\d+|raadssvar_findes_ikke|Error:/);
    });
  });

  describe('the request log', () => {
    const lines: Array<Record<string, any>> = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    let logged: TestApp;
    let broken: TestApp;
    before(async () => {
      logged = await startTestApp({ deps: { logger } });
      const missing = misconfiguredDatabase();
      broken = await startTestApp({ deps: { logger, db: missing.db, pool: missing.pool } });
    });
    after(async () => {
      await logged.close();
      await broken.close();
    });
    const linesOf = (requestId: string | null) => lines.filter((line) => line.req?.id === requestId || line.requestId === requestId);

    it('writes one line per request with the id the answer carries, and none for /healthz', async () => {
      const page = await fetch(`${logged.baseUrl}/login?next=%2F`);
      const missing = await fetch(`${logged.baseUrl}/findes-ikke`);
      const health = await fetch(`${logged.baseUrl}/healthz`);
      await Promise.all([page.text(), missing.text(), health.text()]);
      const [line] = linesOf(page.headers.get('x-request-id'));
      expect(linesOf(page.headers.get('x-request-id'))).to.have.length(1);
      expect(line).to.include({ msg: 'request completed', level: 30 });
      expect(line!.req).to.deep.include({ method: 'GET', url: '/login?next=%2F', remoteAddress: '127.0.0.1' });
      expect(line!.res).to.deep.equal({ statusCode: 200 });
      expect(line!.responseTime).to.be.a('number').and.at.least(0);
      expect(linesOf(missing.headers.get('x-request-id'))[0]!.res).to.deep.equal({ statusCode: 404 });
      expect(health.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      expect(linesOf(health.headers.get('x-request-id'))).to.have.length(0);
      // Requests to another app in the same process are that app's business.
      await (await fetch(`${app.baseUrl}/login`)).text();
      expect(lines.filter((l) => l.req?.url === '/login' && l.req?.id !== page.headers.get('x-request-id'))).to.have.length(0);
    });

    it('logs a request the client gave up on, and hides the secret in its URL', async () => {
      const { port } = new URL(logged.baseUrl);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      // The body never arrives in full: the client leaves while the app still reads it. Node answers
      // `Expect: 100-continue` as it hands the request to the app, so then the app has it.
      const continued = new Promise<void>((resolve) => socket.on('data', (chunk) => String(chunk).includes('100 Continue') && resolve()));
      socket.write(
        'POST /password/reset/pw_hemmelig-noegle HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n' +
          'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
      );
      await continued;
      socket.write('password=');
      socket.destroy();
      await waitUntil(
        () => lines.some((l) => l.msg === 'request aborted' && l.req?.url === '/password/reset/[skjult]'),
        10_000,
        'the aborted request line',
      );
      expect(JSON.stringify(lines)).not.to.include('hemmelig-noegle');
    });

    it('logs an unexpected error with the stack under the same request id as its request line', async () => {
      const response = await fetch(`${broken.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_x' } });
      await response.text();
      const [error, request] = linesOf(response.headers.get('x-request-id'));
      expect(error).to.include({ msg: 'unexpected error', level: 50, url: '/api/v1/consultations', method: 'GET' });
      expect(error!.err.stack).to.be.a('string').and.include('raadssvar_findes_ikke');
      expect(request).to.include({ msg: 'request completed' });
      expect(request!.res).to.deep.equal({ statusCode: 500 });
    });
  });
});
