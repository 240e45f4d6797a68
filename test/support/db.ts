import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type DatabaseHandle, type DatabaseTimeouts } from '../../src/db/database.ts';

// Limits far above the app's: on a loaded machine a test waiting its turn for a pooled connection
// is slow, not broken. test/e2e/database-unavailable.test.ts proves the app's own limits.
const TEST_TIMEOUTS: DatabaseTimeouts = { connectMs: 60_000, statementMs: 60_000, idleInTransactionMs: 120_000 };

// On globalThis, not in module variables: mocha loads the global hooks and the test files through
// different module loaders, so each would otherwise have pools of its own and the teardown would
// close none of the tests' pools before the database stops.
const pools = globalThis as { raadssvarTestPools?: { app?: DatabaseHandle; owner?: DatabaseHandle } };
pools.raadssvarTestPools ??= {};
const shared = pools.raadssvarTestPools;

function requiredUrl(name: 'RAADSSVAR_TEST_DB_URL' | 'RAADSSVAR_TEST_OWNER_DB_URL'): string {
  const url = process.env[name];
  if (!url) throw new Error(`${name} is not set: run the tests through mocha with .mocharc.json`);
  return url;
}

/** The migrated test database's URL for the app's restricted role, set by the global setup. */
export function testDatabaseUrl(): string {
  return requiredUrl('RAADSSVAR_TEST_DB_URL');
}

/** The same database as its owner (the migrations' role): for tests that alter tables or create databases. */
export function testOwnerDatabaseUrl(): string {
  return requiredUrl('RAADSSVAR_TEST_OWNER_DB_URL');
}

/** One shared pool and Kysely instance over the test database, as the app's role. */
export function testDatabase(): DatabaseHandle {
  shared.app ??= createDatabase(testDatabaseUrl(), { max: 30, timeouts: TEST_TIMEOUTS });
  return shared.app;
}

/** One shared pool over the test database as its owner, for what the app's role may not do. */
export function testOwnerDatabase(): DatabaseHandle {
  shared.owner ??= createDatabase(testOwnerDatabaseUrl(), { max: 4, timeouts: TEST_TIMEOUTS });
  return shared.owner;
}

/** Closes the shared pools (global teardown). */
export async function closeTestDatabase(): Promise<void> {
  const { app, owner } = shared;
  shared.app = undefined;
  shared.owner = undefined;
  await Promise.all([app?.close(), owner?.close()]);
}

/**
 * Runs `use` on a new, empty database on the test server (for migration tests, which need a
 * schema of their own), and drops it afterwards.
 */
export async function withScratchDatabase(use: (handle: DatabaseHandle) => Promise<void>): Promise<void> {
  const name = `raadssvar_scratch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testOwnerDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(testOwnerDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = createDatabase(url.toString(), { max: 2, timeouts: TEST_TIMEOUTS });
  try {
    await use(handle);
  } finally {
    await handle.close();
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
