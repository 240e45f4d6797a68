import http from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { listOverviewRows } from '../src/db/repositories/overview.ts';
import { BEHIND_TLS_PROXY, logIn, startAppServer, type AppServer } from './app-server.ts';
import { startBenchDatabase, type BenchResult } from './support.ts';
import { addWebConsultations, seedWebPeople, WEB_SEED, type WebUser } from './web-seed.ts';

/**
 * `npm run bench -- overview [--size 100k] [--explain]`: what one staff overview (`/overview`)
 * costs the server, against the bare route in the same run. A focused companion to `web`: the same
 * people and consultations (bench/web-seed.ts), the app in its own process, a few staff users and
 * administrators signed in through the login form.
 */

const CONNECTIONS = 8;
const PHASE_SECONDS = 6;
const STAFF = 20;
const ADMINS = 5;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function get(port: number, path: string, cookie?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { ...BEHIND_TLS_PROXY, ...(cookie ? { cookie } : {}) };
    const request = http.get({ host: '127.0.0.1', port, path, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

/** Requests per second and the server's CPU ms per request while CONNECTIONS clients fetch `path` as each cookie in turn. */
async function phase(server: AppServer, path: string, cookies: Array<string | undefined>): Promise<{ rps: number; cpuMs: number; requests: number }> {
  const before = await server.usage();
  const started = performance.now();
  let requests = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() - started < PHASE_SECONDS * 1000) {
        const status = await get(server.port, path, cookies[requests % cookies.length]);
        if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
        requests += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await server.usage();
  return { rps: requests / seconds, cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / requests, requests };
}

/** EXPLAIN ANALYZE of the overview's reads for one viewer, as the repository runs them (caught from Kysely's log). */
async function explainOverview(url: string, viewer: { userId: number; isAdmin: boolean; councilIds: number[] }): Promise<string> {
  const caught: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const { db, pool } = createDatabase(url, { max: 1, timeouts: null, log: (event) => void caught.push(event.query) });
  try {
    await listOverviewRows(db, { viewer, part: 'open', limit: 200 });
    await listOverviewRows(db, { viewer, part: 'finished', limit: 50 });
    const plans: string[] = [];
    for (const query of caught) {
      const result = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${query.sql}`, [...query.parameters]);
      plans.push(`${query.sql}\n${result.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    }
    return plans.join('\n\n');
  } finally {
    await db.destroy();
  }
}

function parseSize(argv: string[]): number {
  const index = argv.indexOf('--size');
  const raw = (index >= 0 ? argv[index + 1] : undefined) ?? '100k';
  const size = Number(raw.toLowerCase().replace(/k$/, '000').replace(/m$/, '000000'));
  if (!Number.isInteger(size) || size < 1000) throw new Error(`--size: a number of consultations such as 100k, got ${raw}`);
  return size;
}

async function cookiesOf(server: AppServer, users: WebUser[]): Promise<string[]> {
  const cookies: string[] = [];
  for (const user of users) {
    const forwardedFor = `10.${(user.id >> 16) & 255}.${(user.id >> 8) & 255}.${user.id & 255}`;
    cookies.push(await logIn(`http://127.0.0.1:${server.port}`, user.email, WEB_SEED.password, { 'x-forwarded-for': forwardedFor }));
  }
  return cookies;
}

/** Runs the overview benchmark. */
export async function run(argv: string[] = []): Promise<BenchResult> {
  const size = parseSize(argv);
  const database = await startBenchDatabase({ poolSize: 2 });
  const seeding = createDatabase(database.url, { max: 1, timeouts: null });
  try {
    const users = await seedWebPeople(seeding.db);
    await addWebConsultations(seeding.db, 0, size);
    await sql`vacuum analyze`.execute(seeding.db);
    const server = await startAppServer(database.url);
    try {
      const staffUsers = users.filter((u) => u.role === 'staff').slice(0, STAFF);
      const staff = await cookiesOf(server, staffUsers);
      const admins = await cookiesOf(server, users.filter((u) => u.role === 'admin').slice(0, ADMINS));
      await phase(server, '/overview', staff);
      const bareBefore = await phase(server, '/bench/bare', [undefined]);
      const ofStaff = await phase(server, '/overview', staff);
      const ofAdmins = await phase(server, '/overview', admins);
      const bareAfter = await phase(server, '/bench/bare', [undefined]);
      const bareCpu = (bareBefore.cpuMs * bareBefore.requests + bareAfter.cpuMs * bareAfter.requests) / (bareBefore.requests + bareAfter.requests);
      const bareRps = (bareBefore.rps + bareAfter.rps) / 2;
      if (argv.includes('--explain')) {
        const first = staffUsers[0]!;
        const councils = await seeding.db.selectFrom('councils').select('id').where('slug', 'in', first.councils).execute();
        process.stderr.write(
          `${await explainOverview(database.url, { userId: first.id, isAdmin: false, councilIds: councils.map((c) => c.id) })}\n\n`,
        );
        process.stderr.write(`${await explainOverview(database.url, { userId: 0, isAdmin: true, councilIds: [] })}\n`);
      }
      const f2 = (n: number) => n.toFixed(2);
      const row = (name: string, p: { cpuMs: number; rps: number }) => [
        name,
        `${f2(p.cpuMs)} (${(p.cpuMs / bareCpu).toFixed(0)}×) · ${Math.round(p.rps)}`,
      ];
      return {
        description:
          `The staff overview (\`/overview\`) of ${STAFF} staff users (each on ${WEB_SEED.councilsPerUser.staff} councils, a municipality each) and of ${ADMINS} administrators ` +
          `(every council), signed in through the login form, on ${size.toLocaleString('en')} consultations (bench/web-seed.ts: 20 open per council, the rest history), ` +
          `fetched in turn from ${CONNECTIONS} keep-alive connections for ${PHASE_SECONDS} s each, between two ${PHASE_SECONDS} s phases of the bare route (\`/bench/bare\`); ` +
          `server CPU from \`process.cpuUsage()\` over IPC.`,
        target: 'none (a measurement): staff overview server CPU/request against the bare route’s',
        pass: true,
        postgres: database.postgresVersion,
        metrics: {
          size,
          bare_cpu_ms: Number(bareCpu.toFixed(3)),
          bare_rps: Math.round(bareRps),
          staff_overview_cpu_ms: Number(ofStaff.cpuMs.toFixed(3)),
          staff_overview_rps: Math.round(ofStaff.rps),
          admin_overview_cpu_ms: Number(ofAdmins.cpuMs.toFixed(3)),
          admin_overview_rps: Math.round(ofAdmins.rps),
          load_average: Number(loadavg()[0]!.toFixed(2)),
        },
        table: {
          columns: ['', `${(size / 1000).toLocaleString('en')}k consultations: server CPU ms/request (× bare) · requests/s`],
          rows: [
            ['bare route', `${bareCpu.toFixed(3)} · ${Math.round(bareRps)}`],
            row('staff overview', ofStaff),
            row('administrator’s overview', ofAdmins),
          ],
        },
        notes: [
          `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}; the machine is shared, so compare the ratio, not the absolute figures.`,
        ],
      };
    } finally {
      await server.stop();
    }
  } finally {
    agent.destroy();
    await seeding.close();
    await database.close();
  }
}
