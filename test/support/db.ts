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
