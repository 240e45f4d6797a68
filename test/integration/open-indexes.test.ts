import { expect } from 'chai';
import { sql } from 'kysely';
import { FINAL_STATES } from '../../workflows/consultation.machine.ts';
import { testDatabase } from '../support/db.ts';

describe('the partial indexes of open consultations', () => {
  it('leave out exactly the machine’s final states, so the queue’s “not final” filter can use them', async () => {
    const { db } = testDatabase();
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes
      where tablename = 'consultations' and indexname in ('consultations_open_deadline_idx', 'consultations_open_council_deadline_idx')
      order by indexname`.execute(db);
    expect(rows.map((r) => r.indexname)).to.deep.equal(['consultations_open_council_deadline_idx', 'consultations_open_deadline_idx']);
    for (const { indexname, indexdef } of rows) {
      // PostgreSQL writes the predicate back as `(state <> ALL (ARRAY['submitted'::text, …]))`.
      const predicate = /WHERE \(+state <> ALL \(+ARRAY\[(.*?)\]\)/.exec(indexdef);
      expect(predicate, `${indexname}: ${indexdef}`).to.not.equal(null);
      const states = [...predicate![1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
      expect(states.sort(), indexname).to.deep.equal([...FINAL_STATES].sort());
    }
  });
});
