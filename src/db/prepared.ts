import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import type { Executor } from './database.ts';

/**
 * Server-side prepared statements for the hot statements (every transition runs the same two).
 *
 * Kysely hands the driver plain SQL text, which pg sends as an unnamed statement: PostgreSQL parses
 * and plans it again on every call, and for the nested consultation query planning costs more than
 * running it. A statement registered here is sent with a stable name instead, so each connection
 * parses it once and PostgreSQL can keep its plan. Only registered texts are named: their number is
 * bounded by the code (one per query shape), whereas naming every text would let ad-hoc queries
 * (IN lists of any length, filters) pile up prepared statements in every backend.
 */
const namesBySql = new Map<string, string>();

/**
 * Registers a compiled query's SQL to run as a named prepared statement on every pooled
 * connection, and returns the query unchanged. Call it with queries of a fixed shape.
 */
export function prepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  if (!namesBySql.has(query.sql)) {
    namesBySql.set(query.sql, `raadssvar_${createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}`);
  }
  return query;
}

type QueryFunction = (...args: unknown[]) => unknown;

/**
 * Makes the pool's connections send registered statements (see `prepared`) by name. Everything
 * else passes through untouched.
 */
export function usePreparedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFunction;
    (client as unknown as { query: QueryFunction }).query = (...args: unknown[]) => {
      const [text, values] = args;
      const name = typeof text === 'string' && args.length === 2 && Array.isArray(values) ? namesBySql.get(text) : undefined;
      return name ? query({ name, text, values }) : query(...args);
    };
  });
}

/** Something Kysely can compile: a query builder or a `sql` template. */
interface Compilable<R> {
  compile(): CompiledQuery<R>;
}

/**
 * A query of a fixed shape, built and compiled once and then only bound: building a nested Kysely
 * query costs more CPU than PostgreSQL spends running it, and the hot statements run on every
 * transition. `build` receives an executor to build with and `slot(name)`, a stand-in for a value bound later by `bind`.
 * The compiled SQL is registered as a prepared statement (see `prepared`).
 */
export function statementTemplate<P extends string, R>(build: (db: Executor, slot: (name: P) => never) => Compilable<R>) {
  let compiled: CompiledQuery<R> | undefined;
  const slots = new Map<unknown, P>();
  const slot = (name: P): never => {
    const marker = Object.freeze({ slot: name });
    slots.set(marker, name);
    return marker as never;
  };
  return {
    /** The compiled query with the slots' values in place of the stand-ins. */
    bind(db: Executor, values: Record<P, unknown>): CompiledQuery<R> {
      compiled ??= prepared(build(db, slot).compile());
      const parameters = compiled.parameters.map((parameter) => {
        const name = slots.get(parameter);
        return name === undefined ? parameter : values[name];
      });
      return { ...compiled, parameters };
    },
  };
}
