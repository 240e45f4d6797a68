import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { prepareDatabase } from '../../src/boot.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { createDatabase } from '../../src/db/database.ts';
import { JOB_SCHEMA } from '../../src/db/roles.ts';
import { archivedLettersChecked, checkNewlyArchivedLetters } from './archived-letters.ts';
import { closeTestDatabase } from './db.ts';
import { apiContractHooks, installApiContractCheck } from './api-contract.ts';

// Every answer of the API in every test is checked against the served OpenAPI document.
installApiContractCheck();

// One PostgreSQL for the whole run: TEST_DATABASE_URL (the owner) with TEST_DATABASE_APP_URL (the
// app's role) when set, their public and job schemas reset; otherwise a fresh embedded cluster of
// this run's own in a temporary folder, listening on its own socket, so two runs on one machine
// never share or stop each other's database. Either way the code under test connects as the
// restricted app role, so every test also proves the grants of src/db/roles.ts are enough.
let embedded: EmbeddedDatabase | undefined;
let clusterDir: string | undefined;

async function testUrls(): Promise<{ ownerUrl: string; appUrl: string }> {
  const ownerUrl = process.env.TEST_DATABASE_URL;
  if (ownerUrl) {
    const appUrl = process.env.TEST_DATABASE_APP_URL;
    if (!appUrl) throw new Error('TEST_DATABASE_URL kræver TEST_DATABASE_APP_URL: en rolle uden ejerskab, som testene kører appen som (se .ci/run)');
    const client = new pg.Client({ connectionString: ownerUrl });
    await client.connect();
    await client.query(`drop schema if exists public cascade; drop schema if exists ${JOB_SCHEMA} cascade; create schema public;`);
    await client.end();
    return { ownerUrl, appUrl };
  }
  clusterDir = mkdtempSync(join(tmpdir(), 'raadssvar-test-pg-'));
  embedded = await startEmbeddedPostgres({ clusterDir, database: 'raadssvar_test' });
  return { ownerUrl: embedded.ownerUrl, appUrl: embedded.url };
}

export async function mochaGlobalSetup(): Promise<void> {
  const { ownerUrl, appUrl } = await testUrls();
  const app = createDatabase(appUrl, { max: 1 });
  try {
    await prepareDatabase(ownerUrl, app);
    const version = await app.pool.query('show server_version');
    process.stdout.write(`  Tests kører mod PostgreSQL ${version.rows[0].server_version}\n`);
  } finally {
    await app.close();
  }
  process.env.RAADSSVAR_TEST_DB_URL = appUrl;
  process.env.RAADSSVAR_TEST_OWNER_DB_URL = ownerUrl;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeTestDatabase();
  await embedded?.stop();
  if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
}

/**
 * Root hooks: every API answer of a test matched the OpenAPI document (api-contract.ts); after
 * every test, the letters it archived are checked as PDF/A (archived-letters.ts), and after the
 * last test whatever a background job archived later; the run ends by saying how many API answers
 * and letters were checked.
 */
export const mochaHooks = {
  beforeEach(): void {
    apiContractHooks.beforeEach();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    await checkNewlyArchivedLetters(this.currentTest?.fullTitle() ?? 'ukendt test');
    apiContractHooks.afterEach.call(this);
  },
  async afterAll(): Promise<void> {
    apiContractHooks.afterAll();
    await checkNewlyArchivedLetters('den sidste test');
    const { letters, failed } = archivedLettersChecked();
    process.stdout.write(`  PDF/A-tjek: ${letters} arkiverede breve kontrolleret, ${failed} med fund\n`);
  },
};
