import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.ts';

let handle: DatabaseHandle | undefined;

/** The migrated test database's URL, set by the global setup. */
export function testDatabaseUrl(): string {
  const url = process.env.RAADSSVAR_TEST_DB_URL;
  if (!url) throw new Error('RAADSSVAR_TEST_DB_URL is not set: run the tests through mocha with .mocharc.json');
  return url;
}

/** One shared pool and Kysely instance over the test database. */
export function testDatabase(): DatabaseHandle {
  handle ??= createDatabase(testDatabaseUrl(), { max: 30 });
  return handle;
}

/** Closes the shared pool (global teardown). */
export async function closeTestDatabase(): Promise<void> {
  await handle?.close();
  handle = undefined;
}

/**
 * Runs `use` on a new, empty database on the test server (for migration tests, which need a
 * schema of their own), and drops it afterwards.
 */
export async function withScratchDatabase(use: (handle: DatabaseHandle) => Promise<void>): Promise<void> {
  const name = `raadssvar_scratch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = createDatabase(url.toString(), { max: 2 });
  try {
    await use(handle);
  } finally {
    await handle.close();
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
