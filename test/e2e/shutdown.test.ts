import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { workflowDeps } from '../support/fakes.ts';
import { testDatabase, testDatabaseUrl } from '../support/db.ts';
import { largePdf, storeDocument } from '../support/documents.ts';
import { apiTokenFor, makeConsultation, makeConsultationInState, makeCouncilWithPeople } from '../support/factories.ts';
import { waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';
import { freePort } from '../support/ports.ts';

const DOCUMENT_BYTES = 25 * 1024 * 1024;

/** The app as an operator runs it: its own process, `node --import tsx src/main.ts`, over the test database. */
function startAppProcess(port: number, dataDir: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: testDatabaseUrl(),
      DATA_DIR: dataDir,
      SEED_DEMO: 'never',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'shutdown-test-secret-shutdown-test-secret',
      CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH,
      // Generous: the downloads below finish as soon as the test reads them, however loaded the machine.
      SHUTDOWN_GRACE_SECONDS: '60',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Child processes of `pid` (from /proc), to see when the app has started Chromium. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** A download whose reader stops after the first bytes, so it is certainly in flight, until `finish()`. */
function slowDownload(url: string, cookie: string) {
  let resolveStarted: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  let response: IncomingMessage | undefined;
  let received = 0;
  let paused = false;
  const done = new Promise<{ status: number; length: number; expected: number }>((resolve, reject) => {
    const req = request(url, { headers: { cookie } }, (res) => {
      response = res;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (!paused) {
          paused = true;
          res.pause();
          resolveStarted();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, length: received, expected: Number(res.headers['content-length']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return {
    started,
    done,
    finish() {
      // From here on it reads whatever comes, to the end.
      response!.removeAllListeners('data');
      response!.on('data', (chunk: Buffer) => (received += chunk.length));
      response!.resume();
    },
  };
}

describe('shutdown on SIGTERM', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'raadssvar-shutdown-'));
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    // The app installed its cron schedules in the shared test database; no other test wants them.
    await sql`delete from pgboss.schedule`.execute(testDatabase().db).catch(() => undefined);
  });

  it('finishes four downloads and a submission under way, takes no new connection, and exits 0', async () => {
    const { db } = testDatabase();
    const deps = workflowDeps(db);
    const people = await makeCouncilWithPeople(db);
    const withDocument = await makeConsultation(deps, people.secretary.actor, { council: people.council.slug });
    const documentId = await storeDocument(db, people.secretary.actor, withDocument.id, largePdf(DOCUMENT_BYTES));
    const approved = await makeConsultationInState(deps, people, 'approved');
    const token = await apiTokenFor(db, people.secretary.email);

    const port = await freePort();
    const app = startAppProcess(port, dataDir);
    try {
      await waitUntil(() => app.output().includes('Rådssvar kører på'), 90_000, 'the app to start');
      const baseUrl = `http://127.0.0.1:${port}`;
      const secretary = new WebSession(baseUrl);
      await secretary.logIn(people.secretary.email, people.secretary.password);

      const downloads = Array.from({ length: 4 }, () =>
        slowDownload(`${baseUrl}/consultations/${withDocument.id}/documents/${documentId}`, secretary.cookieHeader()),
      );
      await Promise.all(downloads.map((d) => d.started));
      const submission = fetch(`${baseUrl}/api/v1/consultations/${approved.id}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'SUBMIT', version: approved.version, channel: 'portal' }),
      });
      // The submission is under way once the app starts Chromium to render its letter.
      await waitUntil(() => childrenOf(app.child.pid!).length > 0, 60_000, 'the app to start Chromium');

      app.child.kill('SIGTERM');
      await waitUntil(() => app.output().includes('"msg":"stopping"'), 30_000, 'the app to log "stopping"');
      const refused = await new Promise<string>((resolve) => {
        const socket = createConnection(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused, 'a new connection after "stopping"').to.equal('ECONNREFUSED');

      for (const download of downloads) download.finish();
      const finished = await Promise.all(downloads.map((d) => d.done));
      for (const download of finished) expect(download).to.deep.equal({ status: 200, length: DOCUMENT_BYTES, expected: DOCUMENT_BYTES });
      const submitted = await submission;
      expect(submitted.status).to.equal(200);
      expect((await submitted.json()).state).to.equal('submitted');

      expect(await app.exited, app.output()).to.equal(0);
      expect(app.output()).not.to.match(/Unhandled|ECONNRESET|Connection terminated/);
      expect(app.output()).to.include('"msg":"stopped"');
      const archived = await db.selectFrom('archived_documents').select('id').where('consultation_id', '=', approved.id).execute();
      expect(archived).to.have.length(1);
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });
});
