import PgBoss from 'pg-boss';
import pg from 'pg';

/**
 * The app's database role and its grants. Migrations run as the owner of the schema; the app runs
 * as a separate login role that owns nothing in `public`, so neither a bug nor an injected
 * statement can alter a table, disable its triggers or set `session_replication_role` (superuser
 * only) to rewrite the append-only log and archive.
 *
 * {@link grantAppRole} runs as the owner after every migration run, so a table a new migration
 * adds is granted to the app at the next start without anything in the migration itself. The one
 * rule for a new migration: a table whose rows must never change goes into
 * {@link APPEND_ONLY_TABLES} (with the `reject_change` triggers of the initial migration, which
 * hold even for the owner).
 */

/** Tables the app may read and add to, never change, delete from or truncate. */
export const APPEND_ONLY_TABLES = ['consultation_events', 'archived_documents', 'response_versions'] as const;

/** Kysely's bookkeeping of applied migrations: the app may read it (npm run migrate prints it), never write it. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const;

/** pg-boss's schema. pg-boss creates a table per queue, so the app role owns this schema and nothing else. */
export const JOB_SCHEMA = 'pgboss';

const id = (name: string) => pg.escapeIdentifier(name);

/** The role a connection logs in as. */
export async function currentRole(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ role: string }>('select current_user as role');
  return result.rows[0]!.role;
}

/**
 * Grants `appRole` what the app needs, as the owner (`owner`'s connection): DML on the tables of
 * `public` except UPDATE, DELETE and TRUNCATE on {@link APPEND_ONLY_TABLES}, read-only on the
 * migration tables, and the job-queue schema {@link JOB_SCHEMA} (installed here by the owner, since
 * creating a schema needs a right on the database the app does not get). Idempotent; does nothing
 * when the app connects as the owner itself.
 */
export async function grantAppRole(owner: pg.Pool, appRole: string): Promise<void> {
  if ((await currentRole(owner)) === appRole) return;
  const client = await owner.connect();
  // App processes starting at once would otherwise grant, install and hand over side by side.
  await client.query(`select pg_advisory_lock(hashtext('raadssvar.grant-app-role'))`);
  try {
    await grantOnPublic(client, appRole);
    await handOverJobSchema(client, appRole);
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('raadssvar.grant-app-role'))`).catch(() => {});
    client.release();
  }
}

async function grantOnPublic(client: pg.PoolClient, appRole: string): Promise<void> {
  const app = id(appRole);
  const present = async (table: string) =>
    (await client.query<{ found: string | null }>('select to_regclass($1) as found', [`public.${table}`])).rows[0]!.found !== null;
  try {
    await client.query('begin');
    await client.query(`grant usage on schema public to ${app}`);
    await client.query(`grant select, insert, update, delete on all tables in schema public to ${app}`);
    await client.query(`grant usage, select on all sequences in schema public to ${app}`);
    for (const table of APPEND_ONLY_TABLES) {
      if (await present(table)) await client.query(`revoke update, delete, truncate, references, trigger on ${id(table)} from ${app}`);
    }
    for (const table of MIGRATION_TABLES) {
      if (await present(table)) await client.query(`revoke insert, update, delete, truncate on ${id(table)} from ${app}`);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/**
 * Installs pg-boss's schema as the owner when it is missing, then makes the app role the owner
 * of the schema and everything in it (also an earlier install made by another role).
 */
async function handOverJobSchema(owner: pg.PoolClient, appRole: string): Promise<void> {
  const installed = await owner.query<{ found: string | null }>('select to_regclass($1) as found', [`${JOB_SCHEMA}.version`]);
  if (installed.rows[0]!.found === null) await owner.query(PgBoss.getConstructionPlans(JOB_SCHEMA));
  const objects = await owner.query<{ statement: string }>(
    `select format('alter schema %I owner to %I', n.nspname, $2::text) as statement
       from pg_namespace n where n.nspname = $1 and pg_get_userbyid(n.nspowner) <> $2
     union all
     select format('alter %s %s owner to %I', case c.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end, c.oid::regclass, $2::text)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'S') and pg_get_userbyid(c.relowner) <> $2
        -- a sequence owned by a column follows its table
        and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')))
     union all
     select format('alter routine %s owner to %I', p.oid::regprocedure, $2::text)
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = $1 and pg_get_userbyid(p.proowner) <> $2
     union all
     select format('alter type %s owner to %I', t.oid::regtype, $2::text)
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = $1 and t.typtype in ('e', 'd') and pg_get_userbyid(t.typowner) <> $2`,
    [JOB_SCHEMA, appRole],
  );
  for (const { statement } of objects.rows) await owner.query(statement);
}
