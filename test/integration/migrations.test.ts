import { expect } from 'chai';
import { NO_MIGRATIONS, sql } from 'kysely';
import { createMigrator, migrateToLatest } from '../../src/db/migrate.ts';
import { testOwnerDatabase, withScratchDatabase } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople } from '../support/factories.ts';
import { systemClock } from '../../src/domain/time.ts';
import { rejection } from '../support/assert.ts';

describe('migrations', () => {
  it('migrate an empty database to the latest schema, and back down', async () => {
    await withScratchDatabase(async (handle) => {
      const results = await migrateToLatest(handle.db);
      expect(results.map((r) => r.status)).to.not.include('Error');
      expect(results.length).to.be.greaterThan(0);
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(
        handle.db,
      );
      const names = tables.rows.map((r) => r.table_name);
      for (const table of [
        'councils',
        'users',
        'memberships',
        'consultations',
        'response_versions',
        'consultation_events',
        'archived_documents',
        'meetings',
        'api_tokens',
        'session',
      ]) {
        expect(names, table).to.include(table);
      }
      expect(await migrateToLatest(handle.db)).to.deep.equal([]);
      const down = await createMigrator(handle.db).migrateTo(NO_MIGRATIONS);
      expect(down.error).to.equal(undefined);
    });
  });

  it('the event log refuses UPDATE and DELETE, even to its owner', async () => {
    const { db } = testOwnerDatabase();
    const { secretary, council } = await makeCouncilWithPeople(db);
    const created = await makeConsultation({ db, clock: systemClock }, secretary.actor, { council: council.slug });
    const update = db.updateTable('consultation_events').set({ type: 'HACKED' }).where('consultation_id', '=', created.id).execute();
    await rejection(update, /append-only/);
    const remove = db.deleteFrom('consultation_events').where('consultation_id', '=', created.id).execute();
    await rejection(remove, /append-only/);
    const rows = await db.selectFrom('consultation_events').select('type').where('consultation_id', '=', created.id).execute();
    expect(rows.map((r) => r.type)).to.deep.equal(['REGISTERED', 'ASSIGN']);
  });
});
