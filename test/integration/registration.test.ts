import { expect } from 'chai';
import { registerConsultation } from '../../src/domain/consultations/service.ts';
import { systemClock } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { makeCouncilWithPeople, unique } from '../support/factories.ts';

describe('registering a consultation with what belongs to it', () => {
  it('stores nothing when storing its documents fails: the consultation and its event log roll back together', async () => {
    const { db } = testDatabase();
    const people = await makeCouncilWithPeople(db);
    const title = `Udkast til Integrationsstrategi 2026–2029 ${unique()}`;
    const input = { title, authority: 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune', deadline: '2027-02-01T12:00', council: people.council.slug };

    let seenId: string | undefined;
    const failure = await registerConsultation({ db, clock: systemClock }, people.secretary.actor, input, {
      alongside: async (tx, id) => {
        seenId = id;
        // The row is there inside the transaction...
        expect(await tx.selectFrom('consultations').select('id').where('id', '=', id).executeTakeFirst()).to.deep.equal({ id });
        throw new Error('the document store failed');
      },
    }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(failure?.message).to.equal('the document store failed');
    expect(seenId).to.be.a('string');
    // ...and gone with it afterwards, with no event rows left behind.
    expect(await db.selectFrom('consultations').select('id').where('title', '=', title).execute()).to.deep.equal([]);
    expect(await db.selectFrom('consultation_events').select('id').where('consultation_id', '=', seenId!).execute()).to.deep.equal([]);
  });
});
