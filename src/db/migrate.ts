import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { FileMigrationProvider, Migrator, type MigrationResult } from 'kysely';
import type { Db } from './database.ts';

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'db', 'migrations');

/** A Kysely migrator over the dated files in db/migrations. */
export function createMigrator(db: Db): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({
      fs,
      path: {
        ...path,
        // ESM import() wants a file URL, not a bare path.
        join: (...parts: string[]) => pathToFileURL(path.join(...parts)).href,
      },
      migrationFolder,
    }),
  });
}

/** Applies every pending migration; throws with the failing migration's name when one fails. */
export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const cause = error instanceof Error ? error : new Error(inspect(error));
    // No migration ran: the database itself failed (unreachable, refused), and says why.
    if (!failed) throw cause;
    throw new Error(`Migration ${failed.migrationName} fejlede: ${cause.message}`);
  }
  return results ?? [];
}
