import { expect } from 'chai';
import { createCouncil } from '../../src/domain/councils/service.ts';
import { AppError } from '../../src/domain/errors.ts';
import { systemClock } from '../../src/domain/time.ts';
import { testDatabase } from '../support/db.ts';
import { makeConsultation, makeUser, unique } from '../support/factories.ts';

describe('councils: reference prefixes', () => {
  // The database exists only once the global setup has run, so it is fetched per test.
  const db = () => testDatabase().db;

  it('gives two councils whose slugs start alike different prefixes, so their references never collide', async () => {
    // Both slugs start with the same three letters, so both want the same default prefix.
    const stem = `q${unique().slice(0, 2)}`;
    const first = await createCouncil(db(), { slug: `${stem}-aeldreraad`, name: 'Ældrerådet i Næstved Kommune' });
    const second = await createCouncil(db(), { slug: `${stem}-handicapraad`, name: 'Handicaprådet i Næstved Kommune' });
    expect(first.referencePrefix).to.equal(stem.toUpperCase());
    expect(second.referencePrefix).to.equal(`${stem.toUpperCase()}2`);

    const firstSecretary = await makeUser(db(), { council: first, role: 'secretary' });
    const secondSecretary = await makeUser(db(), { council: second, role: 'secretary' });
    const a = await makeConsultation({ db: db(), clock: systemClock }, firstSecretary.actor, { council: first.slug, deadline: '2027-01-15T12:00' });
    const b = await makeConsultation({ db: db(), clock: systemClock }, secondSecretary.actor, { council: second.slug, deadline: '2027-01-15T12:00' });
    expect(a.reference).to.match(new RegExp(`^${first.referencePrefix}-\\d{4}-0001$`));
    expect(b.reference).to.match(new RegExp(`^${second.referencePrefix}-\\d{4}-0001$`));
  });

  it('refuses an explicit prefix another council uses, with CONFLICT on the field', async () => {
    const prefix = `P${unique().slice(0, 4).toUpperCase()}`;
    await createCouncil(db(), { slug: `p-${unique()}`, name: 'Integrationsrådet i Lolland Kommune', referencePrefix: prefix });
    const error = await createCouncil(db(), { slug: `p-${unique()}`, name: 'Integrationsrådet i Ringsted Kommune', referencePrefix: prefix }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(AppError);
    expect((error as AppError).code).to.equal('CONFLICT');
    expect((error as AppError).details.map((d) => d.path)).to.deep.equal(['referencePrefix']);
  });
});
