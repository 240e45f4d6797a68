import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDatabase } from '../../src/boot.ts';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { runningCluster, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { apiTokenFor, makeCouncilWithPeople } from '../support/factories.ts';
import { waitUntil } from '../support/mail.ts';
import { WebSession } from '../support/web-session.ts';

/** The server and its backends: each backend leads a process group of its own, so the group is not enough. */
function serverProcesses(postmasterPid: number): number[] {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmasterPid;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmasterPid, ...children];
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) process.kill(pid, signal);
}

// A PostgreSQL of this suite's own, so freezing it (SIGSTOP to the server and its backends) stops
// no other test's database.
describe('a frozen database', () => {
  let clusterDir: string;
  let embedded: EmbeddedDatabase;
  let database: DatabaseHandle;
  let app: TestApp;
  let baseUrl: string;
  let people: Awaited<ReturnType<typeof makeCouncilWithPeople>>;
  let token: string;

  before(async () => {
    clusterDir = mkdtempSync(join(tmpdir(), 'raadssvar-frozen-pg-'));
    embedded = await startEmbeddedPostgres({ clusterDir, database: 'raadssvar' });
    database = createDatabase(embedded.url, { max: 4, timeouts: { connectMs: 1_000, statementMs: 1_000, idleInTransactionMs: 1_000 } });
    await prepareDatabase(embedded.ownerUrl, database);
    app = await startTestApp({ database });
    baseUrl = app.baseUrl;
    people = await makeCouncilWithPeople(database.db);
    token = await apiTokenFor(database.db, people.secretary.email);
  });

  after(async () => {
    await app?.close();
    await database?.close();
    await embedded?.stop();
    rmSync(clusterDir, { recursive: true, force: true });
  });

  // Far above the 1 s limits set above: only a request that hangs reaches it.
  const HANG = 60_000;
  const api = () => fetch(`${baseUrl}/api/v1/consultations`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(HANG) });

  it('page, API and login requests get a 503 with SERVICE_UNAVAILABLE instead of hanging, and work again once it is back', async () => {
    const web = new WebSession(baseUrl);
    expect((await web.logIn(people.secretary.email, people.secretary.password)).status).to.equal(303);
    expect((await web.get('/')).status).to.equal(200);
    expect((await api()).status).to.equal(200);
    const loggingIn = new WebSession(baseUrl);
    const csrf = WebSession.csrfToken((await loggingIn.get('/login')).text);

    const frozen = serverProcesses(runningCluster(embedded.clusterDir)!.pid);
    signalAll(frozen, 'SIGSTOP');
    try {
      const frozenApi = await api();
      expect(frozenApi.status).to.equal(503);
      expect(((await frozenApi.json()) as { error: { code: string } }).error.code).to.equal('SERVICE_UNAVAILABLE');
      const page = await web.request('/', { signal: AbortSignal.timeout(HANG) });
      expect(page.status).to.equal(503);
      expect(page.text).to.include('Databasen svarer ikke lige nu');
      const login = await loggingIn.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, email: people.chair.email, password: people.chair.password, next: '/' }).toString(),
        signal: AbortSignal.timeout(HANG),
      });
      expect(login.status).to.equal(503);
    } finally {
      signalAll(frozen, 'SIGCONT');
    }
    await waitUntil(async () => (await api()).status === 200, HANG, 'the API to answer again');
    expect((await web.get('/')).status).to.equal(200);
  });
});
