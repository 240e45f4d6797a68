import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, makeCouncilWithPeople } from '../support/factories.ts';

describe('JSON API: the rate limit per API key (API_REQUESTS_PER_MINUTE)', () => {
  const LIMIT = 3;
  let app: TestApp;
  let secretaryToken: string;
  let chairToken: string;

  before(async () => {
    app = await startTestApp({ env: { API_REQUESTS_PER_MINUTE: String(LIMIT) } });
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    secretaryToken = await apiTokenFor(db, people.secretary.email);
    chairToken = await apiTokenFor(db, people.chair.email);
  });
  after(() => app.close());

  const list = (token: string) => fetch(`${app.baseUrl}/api/v1/consultations`, { headers: { authorization: `Bearer ${token}` } });

  it('answers 429 TOO_MANY_REQUESTS with Retry-After once a key has used its minute, and counts every key on its own', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await list(secretaryToken)).status).to.equal(200);
    const refused = await list(secretaryToken);
    expect(refused.status).to.equal(429);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).to.be.within(1, 60);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('TOO_MANY_REQUESTS');
    expect(body.error.message).to.match(/^For mange forespørgsler med denne API-nøgle\. Prøv igen om \d+ sekunder\.$/);
    // Another key of the same council is not held back by the first one's requests.
    expect((await list(chairToken)).status).to.equal(200);
  });

  it('counts only valid keys: an unknown key gets 401, however often it is tried', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      const answer = await list('rs_unknown-key');
      expect(answer.status).to.equal(401);
      await answer.body?.cancel();
    }
  });
});
