import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { listOverviewRows } from '../src/db/repositories/overview.ts';
import { OVERVIEW_FINISHED_LIMIT, OVERVIEW_OPEN_LIMIT } from '../src/domain/consultations/overview.ts';
import { logIn, startAppServer, type AppServer } from './app-server.ts';
import { closeAgent, CONNECTIONS, explainReads, parseSize, phase, PHASE_SECONDS } from './focused.ts';
import { startBenchDatabase, type BenchResult } from './support.ts';
import { addWebConsultations, seedWebPeople, WEB_SEED, type WebUser } from './web-seed.ts';

/**
 * `npm run bench -- overview [--size 100k] [--explain]`: what one staff overview (`/overview`)
 * costs the server, against the bare route in the same run. A focused companion to `web`: the same
 * people and consultations (bench/web-seed.ts), the app in its own process, a few staff users and
 * administrators signed in through the login form.
 */

const STAFF = 20;
const ADMINS = 5;

/** EXPLAIN ANALYZE of the overview's reads for one viewer, as the repository runs them (caught from Kysely's log). */
async function explainOverview(url: string, viewer: { userId: number; isAdmin: boolean; councilIds: number[] }): Promise<string> {
  return explainReads(url, async (db) => {
    await listOverviewRows(db, { viewer, part: 'open', limit: OVERVIEW_OPEN_LIMIT });
    await listOverviewRows(db, { viewer, part: 'finished', limit: OVERVIEW_FINISHED_LIMIT });
  });
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
      await phase(
        server,
        staff.map((cookie) => ({ path: '/overview', cookie })),
      );
      const bareBefore = await phase(server, [{ path: '/bench/bare' }]);
      const ofStaff = await phase(
        server,
        staff.map((cookie) => ({ path: '/overview', cookie })),
      );
      const ofAdmins = await phase(
        server,
        admins.map((cookie) => ({ path: '/overview', cookie })),
      );
      const bareAfter = await phase(server, [{ path: '/bench/bare' }]);
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
    closeAgent();
    await seeding.close();
    await database.close();
  }
}
