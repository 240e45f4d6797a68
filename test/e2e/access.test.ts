import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';
import { createApiToken } from '../../src/domain/tokens/service.ts';

describe('councils never see each other’s data', () => {
  const app = useTestApp();

  it('lists only the user’s own councils’ consultations and hides the others’ (web and API)', async () => {
    const { db } = testDatabase();
    const naestved = await makeCouncilWithPeople(db);
    const vordingborg = await makeCouncilWithPeople(db);
    const deps = { db, clock: () => new Date() };
    const ours = await makeConsultation(deps, naestved.secretary.actor, { council: naestved.council.slug, title: 'Vores høring om sprogcentret' });
    const theirs = await makeConsultation(deps, vordingborg.secretary.actor, { council: vordingborg.council.slug, title: 'Deres fortrolige høring' });

    const web = new WebSession(app.baseUrl);
    await web.logIn(naestved.secretary.email, naestved.secretary.password);
    const queue = await web.get('/');
    expect(queue.text).to.include('Vores høring om sprogcentret');
    expect(queue.text).not.to.include('Deres fortrolige høring');
    const filtered = await web.get(`/?council=${vordingborg.council.slug}&state=all`);
    expect(filtered.text).not.to.include('Deres fortrolige høring');

    const { token } = await createApiToken(db, { email: naestved.secretary.email });
    const auth = { authorization: `Bearer ${token}` };
    const foreign = await fetch(`${app.baseUrl}/api/v1/consultations/${theirs.id}`, { headers: auth });
    expect(foreign.status).to.equal(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
    const missing = await fetch(`${app.baseUrl}/api/v1/consultations/00000000-0000-4000-8000-000000000000`, { headers: auth });
    expect(missing.status).to.equal(404);
    const own = await fetch(`${app.baseUrl}/api/v1/consultations/${ours.id}`, { headers: auth });
    expect(own.status).to.equal(200);
    const list = (await (await fetch(`${app.baseUrl}/api/v1/consultations?limit=200`, { headers: auth })).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id)).to.include(ours.id).and.not.include(theirs.id);
  });

  it('refuses the API without a valid token', async () => {
    expect((await fetch(`${app.baseUrl}/api/v1/consultations`)).status).to.equal(401);
    const bad = await fetch(`${app.baseUrl}/api/v1/consultations`, { headers: { authorization: 'Bearer rs_forkert' } });
    expect(bad.status).to.equal(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHENTICATED');
  });
});
