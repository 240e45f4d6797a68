import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { nuCheckerFindings } from '../support/nu-checker.ts';
import { testDatabase } from '../support/db.ts';
import { PAGE_TOUR, buildTourWorld, fetchOverHttp, tourRoles, type TourRole } from '../support/page-tour.ts';
import { attachTestSamlProvider } from '../support/saml-idp.ts';
import { WebSessionFromOwnAddress, type WebSession } from '../support/web-session.ts';

describe('HTML validity: the W3C Nu checker on every page type', function () {
  this.timeout(300_000);
  // A forwarded address of its own, so the password-reset throttle of other tests' requests is not ours.
  const app = useTestApp({ env: { TRUST_PROXY: 'loopback' } });
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'raadssvar-html-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`reports no error on any of the ${PAGE_TOUR.length} pages`, async () => {
    // With a SAML provider, so the login page has its button and /admin/sso its SAML details.
    attachTestSamlProvider(app.deps, testDatabase().db);
    const world = await buildTourWorld(testDatabase().db);
    const sessions = new Map<TourRole, WebSession>();
    for (const { role, login } of tourRoles(world)) {
      const session = new WebSessionFromOwnAddress(app.baseUrl);
      if (login) expect((await session.logIn(login.email, login.password)).status, `${role} signs in`).to.equal(303);
      sessions.set(role, session);
    }
    const files: string[] = [];
    for (const stop of PAGE_TOUR) {
      const file = path.join(dir, `${stop.name}.html`);
      await writeFile(file, await fetchOverHttp(sessions.get(stop.role)!, stop, world));
      files.push(file);
    }

    const { errors, warnings } = await nuCheckerFindings(files);
    expect(errors, `Nu checker errors:\n${errors.join('\n')}`).to.deep.equal([]);
    // Warnings too: the one it gave (a second h1, from a `#` in the draft's preview) is a real fault for a screen reader.
    expect(warnings, `Nu checker warnings:\n${warnings.join('\n')}`).to.deep.equal([]);
  });
});
