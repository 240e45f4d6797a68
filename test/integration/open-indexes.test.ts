import { expect } from 'chai';
import { sql } from 'kysely';
import { FINAL_STATES } from '../../workflows/consultation.machine.ts';
import { testDatabase } from '../support/db.ts';

/**
 * Checks that each named index of consultations exists and that its predicate, as PostgreSQL
 * writes it back (`(state <> ALL (ARRAY['submitted'::text, …]))` for `not in`, `= ANY` for `in`),
 * lists exactly the machine's final states.
 */
async function expectFinalStatesPredicate(names: string[], operator: '<> ALL' | '= ANY') {
  const { db } = testDatabase();
  const { rows } = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes
    where tablename = 'consultations' and indexname in (${sql.join(names)})
    order by indexname`.execute(db);
  expect(rows.map((r) => r.indexname)).to.deep.equal([...names].sort());
  const pattern = new RegExp(`WHERE \\(+state ${operator} \\(+ARRAY\\[(.*?)\\]\\)`);
  for (const { indexname, indexdef } of rows) {
    const predicate = pattern.exec(indexdef);
    expect(predicate, `${indexname}: ${indexdef}`).to.not.equal(null);
    const states = [...predicate![1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(states.sort(), indexname).to.deep.equal([...FINAL_STATES].sort());
  }
}

describe('the partial indexes of open consultations', () => {
  it('leave out exactly the machine’s final states, so the queue’s “not final” filter can use them', async () => {
    await expectFinalStatesPredicate(['consultations_open_deadline_idx', 'consultations_open_council_deadline_idx'], '<> ALL');
  });

  it('and those of finished ones (the staff overview) hold exactly the final states, so its “final” filter can use them', async () => {
    await expectFinalStatesPredicate(['consultations_finished_updated_idx', 'consultations_finished_council_updated_idx'], '= ANY');
  });
});
