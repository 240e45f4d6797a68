import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { PAGE_TOUR, buildTourWorld, fetchOverHttp, tourRoles, type TourRole } from '../support/page-tour.ts';
import { WebSessionFromOwnAddress, type WebSession } from '../support/web-session.ts';

const VNU_JAR = path.resolve('node_modules/vnu-jar/build/dist/vnu.jar');

/** One message of the checker's JSON report. */
interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

/** Runs the W3C Nu HTML checker once (one JVM) over the files; its JSON report goes to stdout. */
async function runNuChecker(files: string[]): Promise<VnuMessage[]> {
  // vnu exits 1 when it reports an error; the report is still on stdout.
  const result = await promisify(execFile)('java', ['-jar', VNU_JAR, '--format', 'json', '--stdout', ...files], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; code?: number }) => {
    if (error.code === 1 && error.stdout) return { stdout: error.stdout };
    throw error;
  });
  return (JSON.parse(result.stdout) as { messages: VnuMessage[] }).messages;
}

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

    const messages = await runNuChecker(files);
    const listed = (kept: VnuMessage[]) =>
      kept.map(
        (m) => `${path.basename(decodeURIComponent(m.url), '.html')}:${m.lastLine ?? '?'}: ${m.message}${m.extract ? ` «${m.extract.trim()}»` : ''}`,
      );
    const errors = listed(messages.filter((m) => m.type !== 'info'));
    expect(errors, `Nu checker errors:\n${errors.join('\n')}`).to.deep.equal([]);
    // Warnings too: the one it gave (a second h1, from a `#` in the draft's preview) is a real fault for a screen reader.
    const warnings = listed(messages.filter((m) => m.type === 'info' && m.subType === 'warning'));
    expect(warnings, `Nu checker warnings:\n${warnings.join('\n')}`).to.deep.equal([]);
  });
});
