import { expect } from 'chai';
import { createDatabase } from '../../src/db/database.ts';
import { startTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { WebSession } from '../support/web-session.ts';
import { testDatabase } from '../support/db.ts';
import { makeUser } from '../support/factories.ts';

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
    let broken: TestApp;
    before(async () => {
      // A pool pointing at a port where nothing listens: every query fails.
      const dead = createDatabase('postgres://x:y@127.0.0.1:9/none', { max: 1 });
      broken = await startTestApp({ deps: { db: dead.db, pool: dead.pool } });
    });
    after(() => broken.close());

    it('answers /healthz with 503', async () => {
      const response = await fetch(`${broken.baseUrl}/healthz`);
      expect(response.status).to.equal(503);
    });

    it('answers the API with INTERNAL JSON and a request id', async () => {
      const response = await fetch(`${broken.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_x' } });
      expect(response.status).to.equal(500);
      const body = (await response.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).to.equal('INTERNAL');
      expect(body.error.requestId).to.equal(response.headers.get('x-request-id'));
      expect(JSON.stringify(body)).not.to.include('ECONNREFUSED');
    });

    it('shows a 500 page with a request id and no stack trace', async () => {
      // A valid signed session cookie from the working app makes the broken one ask its store.
      const { email, password } = await makeUser(testDatabase().db);
      const web = new WebSession(app.baseUrl);
      await web.logIn(email, password);
      const cookie = (web as unknown as { cookies: Map<string, string> }).cookies;
      const page = await fetch(`${broken.baseUrl}/`, { headers: { cookie: [...cookie].map(([k, v]) => `${k}=${v}`).join('; ') } }).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }));
      expect(page.status).to.equal(500);
      const requestId = page.headers.get('x-request-id');
      expect(requestId).to.match(/^[0-9a-f-]{36}$/);
      expect(page.text).to.include(requestId!).and.include('Der opstod en fejl');
      expect(page.text).not.to.match(/at .*\.ts:\d+|ECONNREFUSED|Error:/);
    });
  });
});
