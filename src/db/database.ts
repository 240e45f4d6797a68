import { Kysely, PostgresDialect, type KyselyConfig, type Transaction } from 'kysely';
import pg from 'pg';
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

/**
 * How long the app waits for PostgreSQL. Without limits a frozen or overloaded server makes every
 * request wait as long as the server does; with them a request fails with a 503 within seconds and
 * the pool recovers by itself when the server answers again.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in a full pool. */
  connectMs: number;
  /**
   * One statement. PostgreSQL cancels it after this (`statement_timeout`); the client gives up
   * a second later on its own, for a server too frozen to cancel anything.
   */
  statementMs: number;
  /** An open transaction that sends nothing (`idle_in_transaction_session_timeout`), so its locks go. */
  idleInTransactionMs: number;
}

/** The app's limits: a few seconds, far above what any of its statements needs. */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5_000, statementMs: 5_000, idleInTransactionMs: 15_000 };

/** What the pool reports an idle connection's loss to. */
export interface PoolLogger {
  warn(obj: object, msg?: string): void;
}

const stderrLogger: PoolLogger = {
  warn: (obj, msg) => process.stderr.write(`${msg ?? ''} ${String((obj as { err?: Error }).err?.message ?? '')}\n`),
};

/**
 * Opens a pool to `connectionString` and a Kysely instance over it.
 *
 * @param options.timeouts the app's limits by default; `null` for none (migrations, which may
 *   rightly run long).
 */
export function createDatabase(
  connectionString: string,
  options: {
    max?: number;
    applicationName?: string;
    log?: KyselyConfig['log'];
    timeouts?: DatabaseTimeouts | null;
    logger?: PoolLogger;
  } = {},
): DatabaseHandle {
  const timeouts = options.timeouts === undefined ? DEFAULT_DATABASE_TIMEOUTS : options.timeouts;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'raadssvar',
    ...(timeouts
      ? {
          connectionTimeoutMillis: timeouts.connectMs,
          statement_timeout: timeouts.statementMs,
          query_timeout: timeouts.statementMs + 1_000,
          idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
        }
      : {}),
  });
  // An idle client whose connection dies (server restart, admin kill) is dropped by the pool and
  // the next query opens a new one; without a listener the error would crash the process.
  const logger = options.logger ?? stderrLogger;
  pool.on('error', (error) => {
    // A connection of a pool being closed may still report the server's goodbye.
    if (!pool.ending) logger.warn({ err: error }, 'an idle database connection was lost');
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) });
  return {
    db,
    pool,
    async close() {
      await db.destroy();
      // Kysely ends the pool only once it has run a query of its own.
      if (!pool.ending) await pool.end();
    },
  };
}
