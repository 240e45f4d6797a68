import 'dotenv/config';
import { join } from 'node:path';
import { parseConfig, type Config } from './config.ts';
import { createDatabase, type DatabaseHandle, type PoolLogger } from './db/database.ts';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createMissingStatusLinks } from './domain/consultations/status-links.ts';
import { currentRole, grantAppRole } from './db/roles.ts';

/** The database Rådssvar runs on: the configured PostgreSQL or the embedded one in DATA_DIR. */
export interface BootedDatabase extends DatabaseHandle {
  embedded: EmbeddedDatabase | undefined;
  /** Closes the pool and, if this process started it, stops the embedded server. */
  shutdown(): Promise<void>;
}

/** The embedded cluster's folder inside DATA_DIR. */
export function embeddedClusterDir(config: Config): string {
  return join(config.dataDir, 'pg');
}

/**
 * Migrates the database as its owner and grants the app's role what it needs; the owner's
 * connection is closed again, so the running app holds only the app role's.
 */
export async function prepareDatabase(ownerUrl: string, app: DatabaseHandle): Promise<void> {
  const owner = createDatabase(ownerUrl, { max: 1, applicationName: 'raadssvar-migrate', timeouts: null });
  try {
    await migrateToLatest(owner.db);
    await grantAppRole(owner.pool, await currentRole(app.pool));
  } finally {
    await owner.close();
  }
}

/**
 * Connects to the configured database (starting the embedded PostgreSQL when DATABASE_URL is
 * unset), applies pending migrations as the owner and returns the app role's pool.
 */
export async function bootDatabase(
  config: Config,
  options: { poolSize?: number; log?: (line: string) => void; logger?: PoolLogger } = {},
): Promise<BootedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  let ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      clusterDir: embeddedClusterDir(config),
      port: config.embeddedPgPort,
      database: 'raadssvar',
      onLog: options.log,
    });
    url = embedded.url;
    ownerUrl = embedded.ownerUrl;
  }
  const handle = createDatabase(url, { max: options.poolSize, timeouts: config.databaseTimeouts, logger: options.logger });
  try {
    await prepareDatabase(ownerUrl!, handle);
    await createMissingStatusLinks(handle.db, config.sessionSecret);
  } catch (error) {
    await handle.close();
    if (embedded?.startedHere) await embedded.stop();
    throw error;
  }
  return {
    ...handle,
    embedded,
    async shutdown() {
      await handle.close();
      if (embedded?.startedHere) await embedded.stop();
    },
  };
}

const unreachableCodes: Record<string, string> = {
  ECONNREFUSED: 'ingen PostgreSQL svarer på adressen',
  ENOTFOUND: 'værtsnavnet findes ikke',
  EAI_AGAIN: 'værtsnavnet kunne ikke slås op',
  ETIMEDOUT: 'forbindelsen fik ikke svar',
  EHOSTUNREACH: 'værten kan ikke nås',
  ENOENT: 'databasens socket findes ikke',
  '28P01': 'adgangskoden blev afvist',
  '28000': 'rollen må ikke logge ind',
  '3D000': 'databasen findes ikke',
  '42501': 'rollen mangler en rettighed',
  '57P03': 'PostgreSQL starter eller stopper lige nu',
};

/**
 * The one Danish line the user sees when Rådssvar cannot start: the message of our own start-up
 * errors, a plain reason for the usual database failures, otherwise the error's first line.
 */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof EmbeddedPostgresError) return error.message;
  const e = error as { code?: string; message?: string; port?: number };
  if (e?.code === 'EADDRINUSE') return `porten ${e.port ?? ''} er optaget af et andet program; sæt PORT til en ledig port`;
  const firstLine = String(e?.message ?? error).split('\n')[0]!;
  const reason = e?.code ? unreachableCodes[e.code] : undefined;
  if (reason) return `databasen kan ikke bruges: ${reason} (${firstLine})`;
  if (/timeout|terminated/i.test(firstLine)) return `databasen svarede ikke i tide (${firstLine})`;
  return firstLine;
}

/** Reads the configuration or exits with one clear line naming the bad variable. */
export function loadConfigOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
