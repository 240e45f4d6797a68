import { expect } from 'chai';
import { DateTime } from 'luxon';
import { isInRepeatedHour, readDanishDateTime, readDeadline, ZONE } from '../../src/domain/time.ts';

/** The last Sunday of a month, as YYYY-MM-DD. */
function lastSunday(year: number, month: number): string {
  let day = DateTime.fromObject({ year, month }, { zone: ZONE }).endOf('month').startOf('day');
  while (day.weekday !== 7) day = day.minus({ days: 1 });
  return day.toISODate()!;
}

describe('readDanishDateTime: the one rule for a local date-time someone enters', () => {
  it('refuses every time the clocks skip, 2000–2040, and accepts the minutes either side', () => {
    for (let year = 2000; year <= 2040; year++) {
      const day = lastSunday(year, 3);
      for (const time of ['02:00', '02:30', '02:59']) {
        const reading = readDanishDateTime(`${day}T${time}`);
        expect(reading.ok, `${day} ${time}`).to.equal(false);
        expect(reading.ok ? '' : reading.problem).to.equal('skipped');
      }
      expect(readDanishDateTime(`${day}T01:59`)).to.deep.equal({ ok: true, instant: new Date(`${day}T00:59:00Z`) });
      expect(readDanishDateTime(`${day}T03:00`)).to.deep.equal({ ok: true, instant: new Date(`${day}T01:00:00Z`) });
    }
  });

  it('says in Danish which hour does not exist', () => {
    const reading = readDanishDateTime('2027-03-28T02:30');
    expect(reading).to.deep.equal({
      ok: false,
      problem: 'skipped',
      message:
        'Klokken 02.30 findes ikke den 28. marts 2027: uret stilles frem fra 02.00 til 03.00, når sommertiden begynder. ' +
        'Vælg et klokkeslæt før 02.00 eller fra 03.00.',
    });
  });

  it('reads the autumn hour that happens twice as its first pass (summer time), 2000–2040', () => {
    for (let year = 2000; year <= 2040; year++) {
      const day = lastSunday(year, 10);
      const reading = readDanishDateTime(`${day}T02:30`);
      expect(reading, day).to.deep.equal({ ok: true, instant: new Date(`${day}T00:30:00Z`) });
      expect(isInRepeatedHour(new Date(`${day}T00:30:00Z`)), `${day} first pass`).to.equal(true);
      expect(isInRepeatedHour(new Date(`${day}T01:30:00Z`)), `${day} second pass`).to.equal(true);
      expect(isInRepeatedHour(new Date(`${day}T02:00:00Z`)), `${day} 03.00 CET`).to.equal(false);
    }
    expect(isInRepeatedHour(new Date('2027-07-01T10:00:00Z'))).to.equal(false);
  });

  it('takes a time with an offset as it stands, and a bare date as 23.59', () => {
    expect(readDanishDateTime('2027-03-28T02:30+01:00')).to.deep.equal({ ok: true, instant: new Date('2027-03-28T01:30:00Z') });
    expect(readDanishDateTime('2027-03-28T02:30Z')).to.deep.equal({ ok: true, instant: new Date('2027-03-28T02:30:00Z') });
    expect(readDanishDateTime('2027-10-31T02:30+01:00')).to.deep.equal({ ok: true, instant: new Date('2027-10-31T01:30:00Z') });
    expect(readDeadline('2027-03-28')).to.deep.equal({ ok: true, instant: new Date('2027-03-28T21:59:00Z') });
    expect(readDanishDateTime('2027-02-30T12:00')).to.deep.equal({ ok: false, problem: 'invalid' });
    expect(readDanishDateTime('i morgen')).to.deep.equal({ ok: false, problem: 'invalid' });
  });
});
