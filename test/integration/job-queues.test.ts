import { expect } from 'chai';
import pg from 'pg';
import { startPgBossJobs, type PgBossJobs } from '../../src/adapters/pg-boss-jobs.ts';
import { QUEUES } from '../../src/domain/jobs/jobs.ts';
import { createLogger } from '../../src/logger.ts';
import { withScratchDatabase } from '../support/db.ts';
import { TEST_JOB_SETTINGS } from '../support/mail.ts';

describe('pg-boss queues when several app processes start at once', function () {
  this.timeout(180_000);

  it('three processes starting together on a database without the queues all start, and every queue exists once', async () => {
    await withScratchDatabase(async ({ pool }) => {
      const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: url, max: 4 }));
      // Dropping the scratch database ends any connection pg-boss still holds; that is no failure here.
      for (const p of pools) p.on('error', () => undefined);
      const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
      let started: PgBossJobs[] = [];
      try {
        // Creating the same new queue from several processes at once can deadlock in PostgreSQL;
        // the process that loses must try again rather than fail to start.
        started = await Promise.all(pools.map((p) => startPgBossJobs(p, logger, { ...TEST_JOB_SETTINGS, schedule: false })));
        const queues = await started[0]!.boss.getQueues();
        const names = queues.map((q) => q.name).filter((name) => (Object.values(QUEUES) as string[]).includes(name));
        expect(names.sort()).to.deep.equal([...Object.values(QUEUES)].sort());
      } finally {
        await Promise.all(started.map((jobs) => jobs.stop()));
        await Promise.all(pools.map((p) => p.end()));
      }
    });
  });
});
