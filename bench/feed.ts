import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { buildCalendarFeed, type FeedEvent } from '../src/domain/calendar/feed.ts';
import { listFeedDeadlines, listFeedMeetings } from '../src/db/repositories/calendar.ts';
import { calendarFeedUrlForEmail, FEED_FUTURE_DAYS, FEED_MAX_EVENTS, FEED_PAST_DAYS } from '../src/domain/calendar/service.ts';
import { systemClock } from '../src/domain/time.ts';
import { startAppServer } from './app-server.ts';
import { closeAgent, CONNECTIONS, explainReads, get, parseSize, phase, PHASE_SECONDS } from './focused.ts';
import { startBenchDatabase, type BenchResult } from './support.ts';
import { addWebConsultations, seedWebPeople } from './web-seed.ts';

/**
 * `npm run bench -- feed [--size 100k] [--explain] [--profile DIR]`: what one calendar feed costs the server, against the bare
 * route in the same run. A focused companion to `web` (whose login of 1,000 people takes most of
 * its time): the same people and consultations (bench/web-seed.ts), the app in its own process
 * (bench/server-main.ts), feed addresses made by the domain function the profile page uses.
 */

// Must match the SESSION_SECRET bench/app-server.ts gives the server: the feed token is an HMAC with it.
const SERVER_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const TARGET_TIMES_BARE = 20;

/** ms of this process's CPU to build one feed at its cap (FEED_MAX_EVENTS deadlines and as many meetings). */
function buildAtCap(): number {
  const events: FeedEvent[] = [];
  const from = Date.now();
  for (let i = 0; i < FEED_MAX_EVENTS; i++) {
    events.push({
      kind: 'deadline',
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      title: `Høring om lokalplan nr. ${i} for området ved havnen`,
      councilName: 'Integrationsrådet i Næstved Kommune',
      start: new Date(from + i * 3 * 86_400_000),
      sequence: i % 3,
      changedAt: new Date(from),
      description: 'Vores reference: 2026-00123\nHøringsmyndighed: Teknik- og Miljøudvalget',
      url: `https://raadssvar.example.dk/consultations/${i}`,
    });
    events.push({
      kind: 'meeting',
      id: String(i),
      title: 'Ordinært møde',
      councilName: 'Integrationsrådet i Næstved Kommune',
      start: new Date(from + i * 3.5 * 86_400_000),
      sequence: 0,
      changedAt: new Date(from),
      location: 'Rådhuset, mødelokale 2',
    });
  }
  for (let i = 0; i < 30; i++) buildCalendarFeed({ name: 'warm-up', events });
  const rounds = 200;
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) buildCalendarFeed({ name: 'Rådssvar – bench', events });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / rounds;
}

/**
 * EXPLAIN ANALYZE of the two reads of the feed of the user with the most councils, as the
 * repository runs them (the statements are caught from Kysely's log), for `--explain`.
 */
async function explainFeedReads(url: string, user: { id: number; councilIds: number[] }): Promise<string> {
  return explainReads(url, async (db) => {
    const now = Date.now();
    const window = {
      from: new Date(now - FEED_PAST_DAYS * 86_400_000),
      until: new Date(now + FEED_FUTURE_DAYS * 86_400_000),
      limit: FEED_MAX_EVENTS,
    };
    await listFeedDeadlines(db, { userId: user.id, isAdmin: false, councilIds: user.councilIds }, window);
    await listFeedMeetings(db, user.councilIds, window);
  });
}

/** Runs the feed benchmark. */
export async function run(argv: string[] = []): Promise<BenchResult> {
  const size = parseSize(argv);
  const database = await startBenchDatabase({ poolSize: 2 });
  const seeding = createDatabase(database.url, { max: 1, timeouts: null });
  try {
    const users = (await seedWebPeople(seeding.db)).filter((user) => user.councils.length > 0);
    await addWebConsultations(seeding.db, 0, size);
    await sql`vacuum analyze`.execute(seeding.db);
    const deps = { db: seeding.db, clock: systemClock, config: { publicUrl: undefined, port: 0, sessionSecret: SERVER_SECRET } };
    const paths: string[] = [];
    for (const user of users) paths.push(new URL(await calendarFeedUrlForEmail(deps, user.email)).pathname);
    const profileAt = argv.indexOf('--profile');
    const profileDir = profileAt >= 0 ? argv[profileAt + 1] : undefined;
    const server = await startAppServer(database.url, {}, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
    try {
      // Warm-up: JIT and pools, and every feed fetched once, so each token has recorded the text it
      // serves (a write only when a feed changes) and the phases measure the hourly fetch of a feed.
      for (const path of paths) await get(server.port, { path });
      await phase(
        server,
        paths.slice(0, 50).map((path) => ({ path })),
      );
      const bareBefore = await phase(server, [{ path: '/bench/bare' }]);
      const feed = await phase(
        server,
        paths.map((path) => ({ path })),
      );
      const bareAfter = await phase(server, [{ path: '/bench/bare' }]);
      const bareCpu = (bareBefore.cpuMs * bareBefore.requests + bareAfter.cpuMs * bareAfter.requests) / (bareBefore.requests + bareAfter.requests);
      const bareRps = (bareBefore.rps + bareAfter.rps) / 2;
      const times = feed.cpuMs / bareCpu;
      const cap = buildAtCap();
      if (argv.includes('--explain')) {
        const widest = users.reduce((a, b) => (b.councils.length > a.councils.length ? b : a));
        const councils = await seeding.db.selectFrom('councils').select('id').where('slug', 'in', widest.councils).execute();
        process.stderr.write(`${await explainFeedReads(database.url, { id: widest.id, councilIds: councils.map((c) => c.id) })}\n`);
      }
      const f2 = (n: number) => n.toFixed(2);
      return {
        description:
          `${paths.length} people's own calendar feeds (every role with a council, bench/web-seed.ts) on ${size.toLocaleString('en')} consultations, ` +
          `fetched in turn without a cookie from ${CONNECTIONS} keep-alive connections for ${PHASE_SECONDS} s, between two ${PHASE_SECONDS} s phases ` +
          `of the bare route (\`/bench/bare\`); server CPU from \`process.cpuUsage()\` over IPC. Then, in the benchmark's own process, ` +
          `the build of one feed at its cap (${FEED_MAX_EVENTS} deadlines and ${FEED_MAX_EVENTS} meetings).`,
        target: `feed server CPU/request ≤ ${TARGET_TIMES_BARE} × the bare route's`,
        pass: times <= TARGET_TIMES_BARE,
        postgres: database.postgresVersion,
        metrics: {
          size,
          feeds: paths.length,
          bare_cpu_ms: Number(bareCpu.toFixed(3)),
          bare_rps: Math.round(bareRps),
          feed_cpu_ms: Number(feed.cpuMs.toFixed(3)),
          feed_rps: Math.round(feed.rps),
          feed_times_bare: Number(times.toFixed(1)),
          build_at_cap_ms: Number(cap.toFixed(3)),
          load_average: Number(loadavg()[0]!.toFixed(2)),
        },
        table: {
          columns: ['', `${(size / 1000).toLocaleString('en')}k consultations`],
          rows: [
            ['bare route: server CPU ms/request · requests/s', `${bareCpu.toFixed(3)} · ${Math.round(bareRps)}`],
            [
              `calendar feed: server CPU ms/request (× bare, target ≤ ${TARGET_TIMES_BARE}×) · requests/s`,
              `${f2(feed.cpuMs)} (${times.toFixed(0)}×) · ${Math.round(feed.rps)}`,
            ],
            [`build of one feed at its cap (${2 * FEED_MAX_EVENTS} events), CPU ms`, f2(cap)],
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
