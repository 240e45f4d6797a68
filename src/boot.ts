import 'dotenv/config';
import { join } from 'node:path';
import { parseConfig, type Config } from './config.ts';
import { createDatabase, type DatabaseHandle } from './db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';

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
 * Connects to the configured database (starting the embedded PostgreSQL when DATABASE_URL is
 * unset) and applies pending migrations.
 */
export async function bootDatabase(config: Config, options: { poolSize?: number; log?: (line: string) => void } = {}): Promise<BootedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      clusterDir: embeddedClusterDir(config),
      port: config.embeddedPgPort,
      database: 'raadssvar',
      onLog: options.log,
    });
    url = embedded.url;
  }
  const handle = createDatabase(url, { max: options.poolSize });
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    await embedded?.stop();
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

/** Reads the configuration or exits with one clear line naming the bad variable. */
export function loadConfigOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
