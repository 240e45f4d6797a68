import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { createDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { closeTestDatabase } from './db.ts';

// One PostgreSQL for the whole run: TEST_DATABASE_URL when set (its public schema is reset),
// otherwise an embedded cluster in data/test-pg with a fresh database.
let embedded: EmbeddedDatabase | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('drop schema if exists public cascade; create schema public;');
    await client.end();
  } else {
    embedded = await startEmbeddedPostgres({
      clusterDir: join(process.cwd(), 'data', 'test-pg'),
      port: Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54339),
      database: 'postgres',
    });
    const admin = new pg.Client({ connectionString: embedded.url });
    await admin.connect();
    await admin.query('drop database if exists raadssvar_test with (force)');
    await admin.query("create database raadssvar_test encoding 'UTF8' template template0");
    await admin.end();
    url = embedded.url.replace(/\/postgres$/, '/raadssvar_test');
  }
  const handle = createDatabase(url, { max: 2 });
  await migrateToLatest(handle.db);
  const version = await handle.pool.query('show server_version');
  await handle.close();
  process.env.RAADSSVAR_TEST_DB_URL = url;
  process.stdout.write(`  Tests kører mod PostgreSQL ${version.rows[0].server_version}\n`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeTestDatabase();
  await embedded?.stop();
}
