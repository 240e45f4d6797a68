import { expect } from 'chai';
import { sql } from 'kysely';
import { createMigrator, migrateToLatest } from '../../src/db/migrate.ts';
import { sessionIdHash } from '../../src/domain/auth/sessions.ts';
import { withScratchDatabase } from '../support/db.ts';

describe('migration 2026-12-01T1000_session_id_hashes', () => {
  it('hashes the ids of existing sessions in place, so they carry over, and keeps their data', async () => {
    await withScratchDatabase(async ({ db }) => {
      const before = await createMigrator(db).migrateTo('2026-11-24T0100_change_notifications');
      expect(before.error).to.equal(undefined);
      await sql`insert into session (sid, sess, expire) values ('en-gammel-session', '{"passport":{"user":7}}'::json, now() + interval '1 hour')`.execute(
        db,
      );
      await migrateToLatest(db);
      const rows = await sql<{ sid_hash: string; sess: unknown }>`select sid_hash, sess from session`.execute(db);
      expect(rows.rows).to.deep.equal([{ sid_hash: sessionIdHash('en-gammel-session'), sess: { passport: { user: 7 } } }]);
    });
  });
});
