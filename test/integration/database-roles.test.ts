import { expect } from 'chai';
import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { createDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { currentRole, grantAppRole, APPEND_ONLY_TABLES, JOB_SCHEMA } from '../../src/db/roles.ts';
import { systemClock } from '../../src/domain/time.ts';
import { rejection } from '../support/assert.ts';
import { testDatabase, testOwnerDatabase, testOwnerDatabaseUrl } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople, unique } from '../support/factories.ts';

// The tests' app code runs as the app's role (test/support/global-hooks.ts); these prove what that
// role cannot do to the append-only log and archive, whatever statement reaches the database.
describe('the app database role', () => {
  it('is not the owner and owns nothing in public', async () => {
    const { pool } = testDatabase();
    const app = await currentRole(pool);
    expect(app).to.not.equal(await currentRole(testOwnerDatabase().pool));
    const owned = await pool.query(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relowner = (select oid from pg_roles where rolname = current_user)`,
    );
    expect(owned.rows).to.deep.equal([]);
    const flags = await pool.query('select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user');
    expect(flags.rows[0]).to.deep.equal({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  it('cannot UPDATE, DELETE or TRUNCATE the event log, the archive or the response versions', async () => {
    const { db } = testDatabase();
    const { secretary, council } = await makeCouncilWithPeople(db);
    const created = await makeConsultation({ db, clock: systemClock }, secretary.actor, { council: council.slug });
    for (const table of APPEND_ONLY_TABLES) {
      await rejection(sql`update ${sql.table(table)} set consultation_id = consultation_id where false`.execute(db), /permission denied/);
      await rejection(sql`delete from ${sql.table(table)} where false`.execute(db), /permission denied/);
      await rejection(sql`truncate ${sql.table(table)}`.execute(db), /permission denied/);
    }
    const events = await db.selectFrom('consultation_events').select('type').where('consultation_id', '=', created.id).execute();
    expect(events.map((e) => e.type)).to.deep.equal(['REGISTERED', 'ASSIGN']);
  });

  it('cannot switch off the append-only triggers, alter the tables or set session_replication_role', async () => {
    const { db } = testDatabase();
    await rejection(sql`alter table consultation_events disable trigger consultation_events_append_only`.execute(db), /must be owner/);
    await rejection(sql`alter table archived_documents disable trigger all`.execute(db), /must be owner/);
    await rejection(sql`alter table consultation_events add column forged text`.execute(db), /must be owner/);
    await rejection(sql`drop trigger archived_documents_append_only on archived_documents`.execute(db), /must be owner/);
    await rejection(sql`set session_replication_role = replica`.execute(db), /permission denied/);
    await rejection(sql`create table forged (id int)`.execute(db), /permission denied/);
    await rejection(sql`insert into kysely_migration (name, timestamp) values ('forged', 'now')`.execute(db), /permission denied/);
  });

  it('gets the ordinary rights on a table a later migration adds, at the next start', async () => {
    const owner = testOwnerDatabase();
    const { db, pool } = testDatabase();
    const table = `later_table_${unique()}`;
    await sql`create table ${sql.table(table)} (id int primary key generated always as identity, note text)`.execute(owner.db);
    try {
      await rejection(sql`insert into ${sql.table(table)} (note) values ('før')`.execute(db), /permission denied/);
      await grantAppRole(owner.pool, await currentRole(pool));
      await sql`insert into ${sql.table(table)} (note) values ('efter')`.execute(db);
      await sql`update ${sql.table(table)} set note = 'rettet'`.execute(db);
      const rows = await sql<{ note: string }>`select note from ${sql.table(table)}`.execute(db);
      expect(rows.rows).to.deep.equal([{ note: 'rettet' }]);
      await sql`delete from ${sql.table(table)}`.execute(db);
    } finally {
      await sql`drop table ${sql.table(table)}`.execute(owner.db);
    }
  });

  it('takes over a job schema an earlier version installed as the owner (a cluster from before the roles)', async () => {
    const owner = testOwnerDatabase();
    const appRole = await currentRole(testDatabase().pool);
    const name = `raadssvar_roles_${unique()}`;
    await owner.pool.query(`create database ${name}`);
    const url = new URL(testOwnerDatabaseUrl());
    url.pathname = `/${name}`;
    const earlier = createDatabase(url.toString(), { max: 1 });
    try {
      await migrateToLatest(earlier.db);
      await earlier.pool.query(PgBoss.getConstructionPlans(JOB_SCHEMA));
      await grantAppRole(earlier.pool, appRole);
      const owners = await earlier.pool.query<{ owner: string }>(
        `select distinct pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = $1 and c.relkind in ('r', 'p')
         union select pg_get_userbyid(nspowner) from pg_namespace where nspname = $1`,
        [JOB_SCHEMA],
      );
      expect(owners.rows).to.deep.equal([{ owner: appRole }]);
    } finally {
      await earlier.close();
      await owner.pool.query(`drop database ${name} with (force)`);
    }
  });
});
