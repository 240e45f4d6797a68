import { expect } from 'chai';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { prepared, statementTemplate } from '../../src/db/prepared.ts';
import { CONSULTATION_COLUMNS } from '../../src/db/repositories/consultations.ts';
import { COUNCIL_COLUMNS } from '../../src/db/repositories/councils.ts';
import { sendEvent } from '../../src/domain/consultations/service.ts';
import { makeConsultation, makeCouncilWithPeople } from '../support/factories.ts';
import { testDatabase, testDatabaseUrl, testOwnerDatabase } from '../support/db.ts';
import { workflowDeps } from '../support/fakes.ts';

describe('prepared statements for the hot queries', () => {
  // One connection, so every statement below runs in the same backend and its prepared statements
  // can be read back from pg_prepared_statements.
  let single: DatabaseHandle;
  before(() => {
    single = createDatabase(testDatabaseUrl(), { max: 1 });
  });
  after(async () => {
    await single.close();
  });

  async function preparedInBackend(): Promise<{ name: string; statement: string }[]> {
    const result = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(single.db);
    return result.rows;
  }

  it('runs a transition as named statements, parsed once per connection, and leaves other queries unnamed', async () => {
    const { council, secretary } = await makeCouncilWithPeople(testDatabase().db);
    const deps = workflowDeps(single.db);
    const first = await makeConsultation(deps, secretary.actor, { council: council.slug });
    await sendEvent(deps, secretary.actor, first.id, { type: 'START_DRAFTING', version: first.version });
    const afterOne = await preparedInBackend();
    const names = afterOne.map((p) => p.name);
    expect(names.every((name) => /^raadssvar_[0-9a-f]{20}$/.test(name)), names.join(', ')).to.equal(true);
    const statements = afterOne.map((p) => p.statement.replace(/\s+/g, ' '));
    expect(statements.some((s) => s.includes('for update of "consultations"'))).to.equal(true);
    expect(statements.some((s) => s.startsWith('with "updated" as (update "consultations"'))).to.equal(true);
    expect(statements.some((s) => s.startsWith('with "counter" as (insert into "reference_counters"'))).to.equal(true);
    expect(statements.some((s) => s.includes('from "councils" where "slug" = $1'))).to.equal(true);
    // An ordinary query is not registered, so not prepared.
    await single.db.selectFrom('councils').select('name').where('id', '=', council.id).execute();
    expect((await preparedInBackend()).some((p) => p.statement.includes('select "name" from "councils"'))).to.equal(false);

    const second = await makeConsultation(deps, secretary.actor, { council: council.slug });
    await sendEvent(deps, secretary.actor, second.id, { type: 'START_DRAFTING', version: second.version });
    expect((await preparedInBackend()).map((p) => p.name).sort()).to.deep.equal([...names].sort());
  });

  it('lists every column of consultations and councils, so the prepared statements return whole rows', async () => {
    const columnsOf = async (table: string) =>
      (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(single.db)).rows
        .map((r) => r.column_name)
        .sort();
    expect([...CONSULTATION_COLUMNS].sort()).to.deep.equal(await columnsOf('consultations'));
    expect([...COUNCIL_COLUMNS].sort()).to.deep.equal(await columnsOf('councils'));
  });

  it('keeps working in a process that prepared its statements before a migration added a column', async () => {
    const { council, secretary } = await makeCouncilWithPeople(testDatabase().db);
    const deps = workflowDeps(single.db);
    const before = await makeConsultation(deps, secretary.actor, { council: council.slug });
    await sendEvent(deps, secretary.actor, before.id, { type: 'START_DRAFTING', version: before.version });
    // What a newer app process's migration (as the owner) might do while this one runs.
    await sql`alter table consultations add column added_by_a_later_migration text`.execute(testOwnerDatabase().db);
    await sql`alter table councils add column added_by_a_later_migration text`.execute(testOwnerDatabase().db);
    try {
      const after = await makeConsultation(deps, secretary.actor, { council: council.slug });
      const drafting = await sendEvent(deps, secretary.actor, after.id, { type: 'START_DRAFTING', version: after.version });
      expect(drafting).to.include({ state: 'drafting', version: after.version + 1 });
    } finally {
      await sql`alter table consultations drop column added_by_a_later_migration`.execute(testOwnerDatabase().db);
      await sql`alter table councils drop column added_by_a_later_migration`.execute(testOwnerDatabase().db);
    }
  });

  it('binds a template: slots take the values given, constants stay, the SQL is compiled once', async () => {
    let builds = 0;
    const template = statementTemplate((db, slot: (name: 'id' | 'state') => never) => {
      builds += 1;
      return db.selectFrom('consultations').select('id').where('id', '=', slot('id')).where('state', '=', slot('state')).limit(7);
    });
    const a = template.bind(single.db, { id: '11111111-1111-4111-8111-111111111111', state: 'drafting' });
    const b = template.bind(single.db, { id: '22222222-2222-4222-8222-222222222222', state: 'approved' });
    expect(builds).to.equal(1);
    expect(a.sql).to.equal(b.sql);
    expect(a.parameters).to.deep.equal(['11111111-1111-4111-8111-111111111111', 'drafting', 7]);
    expect(b.parameters).to.deep.equal(['22222222-2222-4222-8222-222222222222', 'approved', 7]);
    expect((await single.db.executeQuery(b)).rows).to.deep.equal([]);
  });

  it('sends a registered statement by name, and it answers as the unnamed one would', async () => {
    const query = prepared(sql<{ sum: number }>`select ${1}::integer + ${2}::integer as sum`.compile(single.db));
    const result = await single.db.executeQuery({ ...query, parameters: [40, 2] });
    expect(result.rows).to.deep.equal([{ sum: 42 }]);
    const statements = (await preparedInBackend()).map((p) => p.statement);
    expect(statements).to.include(query.sql);
  });
});
