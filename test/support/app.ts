import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../src/app.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { parseConfig } from '../../src/config.ts';
import { createAppDeps, type AppDeps } from '../../src/deps.ts';
import { ChromiumPdfRenderer } from '../../src/adapters/chromium-pdf.ts';
import type { Clock } from '../../src/domain/time.ts';
import { createLogger } from '../../src/logger.ts';
import type pg from 'pg';
import type { Db } from '../../src/db/database.ts';
import { testDatabase } from './db.ts';
import { recordingJobs, recordingMailer } from './fakes.ts';
import { TEST_SESSION_SECRET } from './factories.ts';

/** A running app on a random port over the test database. */
export interface TestApp {
  baseUrl: string;
  deps: AppDeps;
  close(): Promise<void>;
}

/** Starts the real app (real sessions, CSRF, throttling) on 127.0.0.1 with a random port. */
export async function startTestApp(
  overrides: {
    clock?: Clock;
    deps?: Partial<AppDeps>;
    /** Environment variables for the app's configuration (e.g. TRUST_PROXY). */
    env?: Record<string, string>;
    /** Another database than the shared test database. */
    database?: { db: Db; pool: pg.Pool };
  } = {},
): Promise<TestApp> {
  const { db, pool } = overrides.database ?? testDatabase();
  const config = parseConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: TEST_SESSION_SECRET,
    DATA_DIR: 'data/test-app',
    DATABASE_URL: 'postgres://unused',
    LOG_LEVEL: 'silent',
    // The property tests send thousands of API requests a minute with one key; the limit itself
    // is tested with a small one (api-rate-limit.test.ts).
    API_REQUESTS_PER_MINUTE: '1000000',
    ...overrides.env,
  });
  // The real Chromium (tests look at the letters), one per test app unless a test brings its own; it
  // only starts if a test renders a PDF. Jobs and mail are recorded, not run: a test that checks
  // delivered mail brings the real pg-boss (startTestScheduler).
  const ownRenderer = overrides.deps?.pdf === undefined;
  const adapters = {
    pdf: overrides.deps?.pdf ?? new ChromiumPdfRenderer({ chromiumPath: config.chromiumPath }),
    mailer: overrides.deps?.mailer ?? recordingMailer(),
    jobs: overrides.deps?.jobs ?? recordingJobs(),
  };
  const deps: AppDeps = {
    ...createAppDeps(config, { db, pool }, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), adapters),
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...overrides.deps,
  };
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(createApp(deps)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  deps.config.publicUrl ??= `http://127.0.0.1:${port}`;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    deps,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (ownRenderer) await deps.pdf.close();
    },
  };
}

/**
 * Starts the app before the enclosing suite's tests and closes it after them. The returned object
 * is filled in by the `before` hook, so tests use it as the running app.
 */
export function useTestApp(overrides: Parameters<typeof startTestApp>[0] = {}): TestApp {
  const app = {} as TestApp;
  before(async () => {
    Object.assign(app, await startTestApp(overrides));
  });
  after(async () => {
    await app.close?.();
  });
  return app;
}
