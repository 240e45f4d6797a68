import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEvent } from 'kysely';
import pg from 'pg';
// database.ts also installs the pg type parsers the app relies on (DATE as string, INT8 as number).
import { createDatabase, type Db } from '../src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(BENCH_DIR, '..');

/** The secret benchmarks derive status links under when they register consultations themselves. */
export const BENCH_SESSION_SECRET = 'bench-secret-bench-secret-bench-secret-01';

/** Where the embedded benchmark cluster lives, its port (BENCH_PG_PORT, for two checkouts at once) and its database. */
export const BENCH_EMBEDDED = {
  clusterDir: join(REPO_ROOT, 'data', 'bench-pg'),
  port: Number(process.env.BENCH_PG_PORT ?? 54349),
  database: 'raadssvar_bench',
} as const;

/** What one benchmark returns; the runner adds date and machine and writes it with {@link writeResult}. */
export interface BenchResult {
  /** One Markdown paragraph: what the benchmark measures and how. */
  description: string;
  /** The target in words, e.g. `ratio >= 0.5, lost updates = 0`. */
  target: string;
  /** True when the run met the target. */
  pass: boolean;
  /** `server_version` of the PostgreSQL the benchmark ran on. */
  postgres: string;
  /** Raw figures, machine-readable. */
  metrics: Record<string, number | string | boolean>;
  /** The table shown on the console and in BENCHMARKS.md (cells already formatted). */
  table: { columns: string[]; rows: Array<Array<string | number>> };
  /** Extra lines for BENCHMARKS.md (Markdown). */
  notes?: string[];
}

/** A database prepared for a benchmark: migrated, with a pool and a Kysely instance over it. */
export interface BenchDatabase {
  db: Db;
  pool: pg.Pool;
  url: string;
  /** `server_version`, e.g. `17.6`. */
  postgresVersion: string;
  /** True when this is the benchmark's own embedded cluster (recreated for each run). */
  embedded: boolean;
  /** Closes the pool and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/** Options for {@link startBenchDatabase}. */
export interface BenchDatabaseOptions {
  /** Size of the pg pool (default 40). */
  poolSize?: number;
  /** Called for every query Kysely runs (for profiling); leave unset for timed runs. */
  onQuery?: (event: LogEvent) => void;
  /** Log lines of the embedded PostgreSQL. */
  log?: (line: string) => void;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreateDatabase(url: string): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
    await admin.query(`create database ${pg.escapeIdentifier(database)} encoding 'UTF8' template template0`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts the database a benchmark runs on. With `DATABASE_URL` set, that database is used as it is
 * (migrated, never dropped: benchmarks only count their own rows, so point it at a scratch
 * database). Otherwise the benchmark's own embedded PostgreSQL in `data/bench-pg` (port 54349) is
 * started or joined and its `raadssvar_bench` database is dropped and recreated for a clean run.
 */
export async function startBenchDatabase(options: BenchDatabaseOptions = {}): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({ ...BENCH_EMBEDDED, onLog: options.log });
    // The owner: the benchmark drops and recreates its database.
    url = embedded.ownerUrl;
    await recreateDatabase(url);
  }
  // The app's own pool and Kysely set-up, so the benchmark measures what the app runs.
  const { db, pool } = createDatabase(url, { max: options.poolSize ?? 40, applicationName: 'raadssvar-bench', log: options.onQuery });
  const stop = async () => {
    await db.destroy();
    if (embedded?.startedHere) await embedded.stop();
  };
  try {
    await migrateToLatest(db);
    const version = await pool.query<{ server_version: string }>('show server_version');
    return {
      db,
      pool,
      url,
      postgresVersion: version.rows[0]?.server_version ?? 'unknown',
      embedded: embedded !== undefined,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A result as written to `bench/results/<name>.json`. */
export interface WrittenResult extends BenchResult {
  name: string;
  date: string;
  machine: { cpus: number; node: string; postgres: string; platform: string };
}

const INTRO = `# Benchmarks

Run one with \`npm run bench -- <name>\` (or \`npx tsx bench/run.ts <name>\`); without a name the
runner lists the benchmarks. Each benchmark starts its own embedded PostgreSQL in
\`data/bench-pg\` (port 54349) and drops and recreates its \`raadssvar_bench\` database, or runs on
\`DATABASE_URL\` when that is set (used as it is and never dropped; point it at a scratch
database). The raw figures of the last run are in \`bench/results/<name>.json\`; the sections below
are rewritten by the runner, each between its \`bench:<name>\` markers.

The machines these run on are shared and noisy, so absolute figures move from run to run. Every
target is therefore a **ratio against a baseline measured in the same run, on the same database**,
not an absolute number. The runner exits with 1 when a target is missed.
`;

function formatCell(value: string | number): string {
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table. */
export function markdownTable(table: BenchResult['table']): string {
  const lines = [
    `| ${table.columns.map(formatCell).join(' | ')} |`,
    `| ${table.columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(formatCell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** The table as aligned plain text, for the console. */
export function consoleTable(table: BenchResult['table']): string {
  const all = [table.columns, ...table.rows].map((row) => row.map(String));
  const widths = table.columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const [head, ...rest] = all;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rest.map(line)].join('\n');
}

function section(result: WrittenResult): string {
  const verdict = result.pass ? '**met**' : '**missed**';
  return [
    `## ${result.name}`,
    '',
    result.description,
    '',
    `Last run ${result.date.slice(0, 16).replace('T', ' ')} UTC on ${result.machine.cpus} CPUs, Node ${result.machine.node}, ` +
      `PostgreSQL ${result.machine.postgres}. Target: ${result.target} — ${verdict}.`,
    '',
    markdownTable(result.table),
    ...(result.notes && result.notes.length > 0 ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

/**
 * Writes `bench/results/<name>.json` (the result with date and machine) and rewrites the
 * benchmark's section of BENCHMARKS.md between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->`, appending it when missing and leaving every other section as it is.
 * Creates BENCHMARKS.md with a short introduction when it does not exist. Returns what was written.
 */
export async function writeResult(name: string, result: BenchResult): Promise<WrittenResult> {
  const written: WrittenResult = {
    name,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, postgres: result.postgres, platform: `${process.platform}-${process.arch}` },
    ...result,
  };
  const resultsDir = join(BENCH_DIR, 'results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, `${name}.json`), `${JSON.stringify(written, null, 2)}\n`);

  const mdPath = join(REPO_ROOT, 'BENCHMARKS.md');
  const current = existsSync(mdPath) ? await readFile(mdPath, 'utf8') : INTRO;
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${section(written)}\n${end}`;
  const from = current.indexOf(start);
  const to = from >= 0 ? current.indexOf(end, from) : -1;
  const next = from >= 0 && to >= 0 ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(mdPath, next);
  return written;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs `worker` in `clients` concurrent loops until it returns false. */
export async function runClients(clients: number, worker: (client: number) => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (await worker(client)) {
        // next item
      }
    }),
  );
}

/** The p-th percentile (0–100) of `values`, in their unit; 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}
