import { expect } from 'chai';
import { countQueueRows } from '../../src/db/repositories/queue.ts';
import { systemClock } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople } from '../support/factories.ts';

describe('the queue count', () => {
  it('counts up to a bound and one more, never the whole table', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    for (let i = 0; i < 4; i++) {
      await makeConsultation({ db, clock: systemClock }, people.secretary.actor, { council: people.council.slug, deadline: '2027-02-01T12:00' });
    }
    const filter = {
      viewer: { userId: people.secretary.actor.userId, isAdmin: false, councilIds: [people.council.id] },
      councilId: people.council.id,
    };
    expect(await countQueueRows(db, filter, 10), 'below the bound: exact').to.equal(4);
    expect(await countQueueRows(db, filter, 4), 'at the bound: exact').to.equal(4);
    expect(await countQueueRows(db, filter, 2), 'above the bound: bound + 1, read as "more than 2"').to.equal(3);
  });
});
