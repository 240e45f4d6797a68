import { Kysely, PostgresDialect, type KyselyConfig, type Transaction } from 'kysely';
import pg from 'pg';
import { usePreparedStatements } from './prepared.ts';
import type { Database } from './types.ts';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar date has no time zone to shift it.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
// bigint counts (count(*)) fit in a JS number for everything Rådssvar stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories take either the database or an open transaction. */
export type Executor = Db | Tx;

/** The pg pool and the Kysely instance over it, created together and closed together. */
export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Opens a pool to `connectionString` and a Kysely instance over it. */
export function createDatabase(
  connectionString: string,
  options: { max?: number; applicationName?: string; log?: KyselyConfig['log'] } = {},
): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: options.applicationName ?? 'raadssvar' });
  // An idle client whose connection dies (server restart, admin kill) is dropped by the pool;
  // without a listener that error would crash the process.
  pool.on('error', () => {});
  usePreparedStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) });
  return {
    db,
    pool,
    async close() {
      await db.destroy();
    },
  };
}
