import { expect } from 'chai';
import { registerConsultation } from '../../src/domain/consultations/service.ts';
import { systemClock } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeCouncilWithPeople, TEST_SESSION_SECRET, unique } from '../support/factories.ts';

describe('registering a consultation with what belongs to it', () => {
  it('stores nothing when storing its documents fails: the consultation and its event log roll back together', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const title = `Udkast til Integrationsstrategi 2026–2029 ${unique()}`;
    const input = {
      title,
      authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune',
      deadline: '2027-02-01T12:00',
      council: people.council.slug,
    };

    let seenId: string | undefined;
    const failure = await registerConsultation(
      { db, clock: systemClock, config: { sessionSecret: TEST_SESSION_SECRET } },
      people.secretary.actor,
      input,
      {
        alongside: async (tx, id) => {
          seenId = id;
          // The row is there inside the transaction...
          expect(await tx.selectFrom('consultations').select('id').where('id', '=', id).executeTakeFirst()).to.deep.equal({ id });
          throw new Error('the document store failed');
        },
      },
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(failure?.message).to.equal('the document store failed');
    expect(seenId).to.be.a('string');
    // ...and gone with it afterwards, with no event rows left behind.
    expect(await db.selectFrom('consultations').select('id').where('title', '=', title).execute()).to.deep.equal([]);
    expect(await db.selectFrom('consultation_events').select('id').where('consultation_id', '=', seenId!).execute()).to.deep.equal([]);
    expect(await db.selectFrom('consultation_status_links').select('nonce').where('consultation_id', '=', seenId!).execute()).to.deep.equal([]);
  });

  it('stores the status link with the consultation, so no page has to write one', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const assigned = await makeConsultation({ db, clock: systemClock }, people.secretary.actor, { council: people.council.slug });
    const unassigned = await makeConsultation({ db, clock: systemClock }, people.secretary.actor);
    const links = await db
      .selectFrom('consultation_status_links')
      .select('consultation_id')
      .where('consultation_id', 'in', [assigned.id, unassigned.id])
      .execute();
    expect(links.map((l) => l.consultation_id).sort()).to.deep.equal([assigned.id, unassigned.id].sort());
  });
});
