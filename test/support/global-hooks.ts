import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { createDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { closeTestDatabase } from './db.ts';
import { freePort } from './ports.ts';

// One PostgreSQL for the whole run: TEST_DATABASE_URL when set (its public schema is reset),
// otherwise a fresh embedded cluster of this run's own in a temporary folder, on a free port,
// so two runs on one machine never share or stop each other's database.
let embedded: EmbeddedDatabase | undefined;
let clusterDir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('drop schema if exists public cascade; create schema public;');
    await client.end();
  } else {
    clusterDir = mkdtempSync(join(tmpdir(), 'raadssvar-test-pg-'));
    embedded = await startEmbeddedPostgres({ clusterDir, port: await freePort(), database: 'postgres' });
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
  if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
}
