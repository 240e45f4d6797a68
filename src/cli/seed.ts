import { parseArgs } from 'node:util';
import { bootDatabase, loadConfigOrExit } from '../boot.ts';
import { ChromiumPdfRenderer } from '../adapters/chromium-pdf.ts';
import { startPgBossJobs } from '../adapters/pg-boss-jobs.ts';
import { systemClock } from '../domain/time.ts';
import { createLogger } from '../logger.ts';
import { hasAnyUser, seedDemo } from '../seed/demo.ts';
import { seedScale } from '../seed/scale.ts';

// npm run seed                 the Danish demo data (once)
// npm run seed -- --scale N    N consultations over hundreds of councils, for benchmarks
const { values } = parseArgs({ options: { scale: { type: 'string' }, councils: { type: 'string' } } });
const config = loadConfigOrExit();
const database = await bootDatabase(config, { poolSize: 4 });
try {
  if (values.scale !== undefined) {
    const count = Number(values.scale);
    if (!Number.isInteger(count) || count < 1) throw new Error('--scale skal være et positivt heltal');
    const result = await seedScale(database.db, count, values.councils ? Number(values.councils) : 400);
    process.stdout.write(`${JSON.stringify({ seeded: 'scale', ...result })}\n`);
  } else if (await hasAnyUser(database.db)) {
    process.stdout.write(
      `${JSON.stringify({ seeded: false, reason: 'Databasen har allerede brugere; demodata indlæses kun i en tom database.' })}\n`,
    );
  } else {
    // The demo's submitted consultations get their archived letters and queued mails, as in the
    // app; the app's workers send the mails when it runs.
    const logger = createLogger(config.logLevel);
    const pdf = new ChromiumPdfRenderer({ chromiumPath: config.chromiumPath });
    const jobs = await startPgBossJobs(database.pool, logger, { schedule: false });
    try {
      await seedDemo({ db: database.db, clock: systemClock, pdf, jobs, logger, config });
    } finally {
      await Promise.all([pdf.close(), jobs.stop()]);
    }
    process.stdout.write(`${JSON.stringify({ seeded: 'demo' })}\n`);
  }
} catch (error) {
  process.stderr.write(`${JSON.stringify({ error: { code: 'SEED_FAILED', message: (error as Error).message } })}\n`);
  process.exitCode = 1;
} finally {
  await database.shutdown();
}
