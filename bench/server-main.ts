import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.ts';
import { createHttpServer } from '../src/http/server.ts';
import { parseConfig } from '../src/config.ts';
import { createDatabase } from '../src/db/database.ts';
import { createAppDeps } from '../src/deps.ts';
import { ChromiumPdfRenderer } from '../src/adapters/chromium-pdf.ts';
import { startPgBossJobs } from '../src/adapters/pg-boss-jobs.ts';
import { createMailer } from '../src/adapters/smtp-mailer.ts';
import { jobHandlers } from '../src/domain/jobs/workers.ts';
import { createLogger } from '../src/logger.ts';

/**
 * The server of the benchmarks over HTTP (web, downloads), in its own process so its memory and
 * CPU are measured alone, started with the Node flags `npm start` uses (bench/app-server.ts reads
 * them from package.json): the real app as `npm start` builds it (production mode: view cache on;
 * request logging at LOG_LEVEL), on DATABASE_URL, plus the bare baseline route `/bench/bare`,
 * which only this process has. The bare route is put in front of all the app's middleware, so it
 * runs none of it. Tells the parent its port over IPC, and answers `{ type: 'usage' }` messages
 * with its CPU time and resident memory (see {@link ServerUsage}).
 */

/** What the server answers a `usage` message with. */
export interface ServerUsage {
  /** process.cpuUsage(): user and system CPU time since the start, µs. */
  cpuMicros: number;
  rssBytes: number;
}

const config = parseConfig(process.env);
const logger = createLogger(config.logLevel);
const database = createDatabase(config.databaseUrl!);
// The adapters as `npm start` has them. Chromium starts only on a first render, which the
// benchmarks over HTTP never ask for.
const jobs = await startPgBossJobs(database.pool, logger);
const adapters = { pdf: new ChromiumPdfRenderer({ chromiumPath: config.chromiumPath }), mailer: createMailer(config), jobs };
const deps = createAppDeps(config, database, logger, adapters);
await jobs.work(jobHandlers(deps));

const app = createApp(deps);
app.get('/bench/bare', (_req, res) => {
  res.type('text/plain').send('ok');
});
// The route was added last; it goes first, so it runs none of the app's middleware. (Mounting the
// app inside an outer app instead would give every page request an extra hop that `npm start`
// does not have.)
const stack = app.router.stack;
stack.unshift(stack.pop()!);
if (stack[0]?.route?.path !== '/bench/bare') throw new Error('the bare route is not first in the app');

const server = createHttpServer(app).listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'usage') return;
  const cpu = process.cpuUsage();
  const usage: ServerUsage = { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
  process.send?.({ type: 'usage', usage });
});

process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  void Promise.all([jobs.stop(), adapters.pdf.close()]).finally(() => database.close().finally(() => process.exit(0)));
});
