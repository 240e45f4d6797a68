import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createDatabase, type Db } from '../src/db/database.ts';
import { BEHIND_TLS_PROXY, type AppServer } from './app-server.ts';

/**
 * What the focused benchmarks (`feed`, `overview`) share: one page type fetched from a few
 * keep-alive connections for a fixed time, the server's CPU per request, and EXPLAIN ANALYZE of
 * the statements a read runs.
 */

/** Keep-alive connections of a phase. */
export const CONNECTIONS = 8;
/** Seconds of a phase. */
export const PHASE_SECONDS = 6;

/** One request of a phase: a path, and the session cookie to send with it, if any. */
export interface PhaseRequest {
  path: string;
  cookie?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

/** GET through the shared keep-alive agent, as the TLS-terminating proxy would pass it on; resolves to the status. */
export function get(port: number, request: PhaseRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { ...BEHIND_TLS_PROXY, ...(request.cookie ? { cookie: request.cookie } : {}) };
    const outgoing = http.get({ host: '127.0.0.1', port, path: request.path, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
  });
}

/** Requests per second and the server's CPU ms per request while CONNECTIONS clients make `requests` in turn. */
export async function phase(server: AppServer, requests: PhaseRequest[]): Promise<{ rps: number; cpuMs: number; requests: number }> {
  const before = await server.usage();
  const started = performance.now();
  let made = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() - started < PHASE_SECONDS * 1000) {
        const request = requests[made % requests.length]!;
        const status = await get(server.port, request);
        if (status !== 200) throw new Error(`GET ${request.path} answered ${status}`);
        made += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await server.usage();
  return { rps: made / seconds, cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / made, requests: made };
}

/** Closes the shared agent's connections, at the end of a benchmark. */
export function closeAgent(): void {
  agent.destroy();
}

/** EXPLAIN ANALYZE of every statement `read` runs on its database (caught from Kysely's log), with the statements. */
export async function explainReads(url: string, read: (db: Db) => Promise<unknown>): Promise<string> {
  const caught: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const { db, pool } = createDatabase(url, { max: 1, timeouts: null, log: (event) => void caught.push(event.query) });
  try {
    await read(db);
    const plans: string[] = [];
    // Replayed in one transaction: a read's transaction control is skipped, its SET LOCAL applied.
    const client = await pool.connect();
    try {
      await client.query('begin');
      for (const query of caught) {
        if (/^\s*(begin|commit|rollback)\b/i.test(query.sql)) continue;
        if (/^\s*set\b/i.test(query.sql)) {
          await client.query(query.sql, [...query.parameters]);
          continue;
        }
        const result = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${query.sql}`, [...query.parameters]);
        plans.push(`${query.sql}\n${result.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
      }
    } finally {
      await client.query('rollback');
      client.release();
    }
    return plans.join('\n\n');
  } finally {
    await db.destroy();
  }
}

/** `--size 100k` (the default), `1m` or a plain number of consultations. */
export function parseSize(argv: string[]): number {
  const index = argv.indexOf('--size');
  const raw = (index >= 0 ? argv[index + 1] : undefined) ?? '100k';
  const size = Number(raw.toLowerCase().replace(/k$/, '000').replace(/m$/, '000000'));
  if (!Number.isInteger(size) || size < 1000) throw new Error(`--size: a number of consultations such as 100k, got ${raw}`);
  return size;
}
