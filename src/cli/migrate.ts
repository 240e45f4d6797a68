import { bootDatabase, loadConfigOrExit } from '../boot.ts';
import { createMigrator } from '../db/migrate.ts';

// bootDatabase applies pending migrations; this prints what is applied.
const config = loadConfigOrExit();
const database = await bootDatabase(config, { poolSize: 2 });
try {
  const migrations = await createMigrator(database.db).getMigrations();
  process.stdout.write(`${JSON.stringify({ migrations: migrations.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null })) })}\n`);
} finally {
  await database.shutdown();
}
