import { expect } from 'chai';
import { request } from 'node:http';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

/** A GET with a Host (and X-Forwarded-*) of the client's choosing, which fetch would not send. */
function getWithHost(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HOSTILE = { host: 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };

for (const publicUrl of [undefined, 'https://raadssvar.naestved.dk']) {
  describe(`absolute links never come from a request’s Host (PUBLIC_URL ${publicUrl ?? 'unset'})`, () => {
    const app = useTestApp();
    let configured: string | undefined;
    before(() => {
      configured = app.deps.config.publicUrl;
      app.deps.config.publicUrl = publicUrl;
    });
    after(() => {
      app.deps.config.publicUrl = configured;
    });

    it('the OpenAPI document: a hostile first request changes nothing for the next client', async () => {
      const poisoned = await getWithHost(app.baseUrl, '/api/openapi.json', HOSTILE);
      expect(poisoned.status).to.equal(200);
      expect(poisoned.text).to.not.include('evil.example');
      const next = (await (await fetch(`${app.baseUrl}/api/openapi.json`)).json()) as { servers: Array<{ url: string }> };
      // Unset, the URL is relative: it resolves against wherever each client fetched the document.
      expect(next.servers).to.deep.equal([{ url: publicUrl ?? '/' }]);
      expect(JSON.parse(poisoned.text).servers).to.deep.equal(next.servers);
    });

    it('the status link on the consultation page and the calendar addresses on /profile', async () => {
      const people = await makeCouncilWithPeople(testDatabase().db);
      const c = await makeConsultationInState(app.deps, people, 'assigned');
      const web = new WebSession(app.baseUrl);
      await web.logIn(people.secretary.email, people.secretary.password);
      const base = publicUrl ?? `http://localhost:${app.deps.config.port}`;
      for (const path of [`/consultations/${c.id}`, '/profile']) {
        const page = await getWithHost(app.baseUrl, path, { ...HOSTILE, cookie: web.cookieHeader() });
        expect(page.status, path).to.equal(200);
        expect(page.text, path).to.not.include('evil.example');
        expect(page.text, path).to.include(`${base}/${path === '/profile' ? 'calendar' : 'status'}/`);
      }
    });
  });
}
