import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { DEFAULT_CHROMIUM_PATH } from '../../src/config.ts';
import { testDatabase, testDatabaseUrl, testOwnerDatabaseUrl } from '../support/db.ts';
import { unique } from '../support/factories.ts';
import { freePort } from '../support/ports.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command in the repository and resolves with its exit code and everything it printed. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** Resolves when `child` has printed `text`; rejects with what it printed if it exits first. */
function printed(child: ChildProcess, text: string, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!output().includes(text)) return;
      child.stdout!.off('data', check);
      child.off('exit', exited);
      resolve();
    };
    const exited = (code: number | null) => reject(new Error(`the app exited (${code}) before printing "${text}":\n${output()}`));
    child.stdout!.on('data', check);
    child.once('exit', exited);
  });
}

describe('the production build', function () {
  // tsc over the whole app on a machine busy with other test runs.
  this.timeout(300_000);
  // Inside the repository, as dist/ is: Node finds node_modules and package.json's "type" by walking up.
  const outDir = join(root, 'test', 'artifacts', `build-${process.pid}-${unique()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'raadssvar-build-'));
  const productionEnv = () => ({
    NODE_ENV: 'production',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_OWNER_URL: testOwnerDatabaseUrl(),
    DATA_DIR: dataDir,
    SEED_DEMO: 'never',
    LOG_LEVEL: 'info',
    SESSION_SECRET: 'build-test-secret-build-test-secret-build',
    CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH,
  });

  before(async () => {
    const built = await run('npm', ['run', 'build', '--', '--out-dir', relative(root, outDir)]);
    expect(built.code, built.output).to.equal(0);
  });

  after(async () => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    // The app installed its cron schedules in the shared test database; no other test wants them.
    await sql`delete from pgboss.schedule`.execute(testDatabase().db).catch(() => undefined);
  });

  it('holds the compiled migrations, the templates and the static files', () => {
    expect(existsSync(join(outDir, 'db', 'migrations', '2026-11-23T1200_initial.js'))).to.equal(true);
    expect(existsSync(join(outDir, 'db', 'migrations', '2026-11-23T1200_initial.ts'))).to.equal(false);
    expect(existsSync(join(outDir, 'views', 'pages', 'login.hbs'))).to.equal(true);
    expect(existsSync(join(outDir, 'views', 'pdf', 'letter.hbs'))).to.equal(true);
    expect(existsSync(join(outDir, 'public'))).to.equal(true);
  });

  it('imports only packages that `npm ci --omit=dev` installs', () => {
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(outDir, file), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:from |import\(?)\s*["']([^"'./][^"']*)["']/g)) {
        if (specifier!.startsWith('node:')) continue;
        const parts = specifier!.split('/');
        imported.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    expect([...imported]).to.include.members(['express', 'handlebars', 'dotenv']);
    expect([...imported].filter((name) => !(name in dependencies))).to.deep.equal([]);
  });

  it('starts with node, without tsx, serves the Danish login page and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(outDir, 'main.js')], {
      cwd: root,
      env: { ...process.env, ...productionEnv(), PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await printed(child, 'Rådssvar kører på', () => output);
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status, output).to.equal(200);
      const page = await login.text();
      expect(page).to.include('<html lang="da"');
      expect(page).to.include('Log ind · Rådssvar');
      const styles = page.match(/href="(\/static\/[^"]+\.css)"/)?.[1];
      expect(styles, 'a stylesheet link').to.be.a('string');
      expect((await fetch(`http://127.0.0.1:${port}${styles}`)).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).to.equal(0);
  });

  it('runs the admin CLI with node', async () => {
    const slug = `build-${unique()}`;
    const result = await run(process.execPath, [join(outDir, 'cli.js'), 'council', 'create', '--slug', slug, '--name', 'Byggerådet'], {
      ...productionEnv(),
      LOG_LEVEL: 'silent',
    });
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.output.trim())).to.include({ slug, name: 'Byggerådet' });
  });
});
