import { expect } from 'chai';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { deadlineStatus, workingDaysBetween } from '../../src/domain/deadlines/status.ts';
import { ZONE } from '../../src/domain/time.ts';

describe('deadlineStatus counts working days like workingDaysBetween', () => {
  it('says "due soon" exactly when the working days left are within the threshold, also across holidays and DST', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) }),
        fc.integer({ min: 0, max: 120 * 24 * 60 }),
        fc.integer({ min: 0, max: 15 }),
        (nowMs, minutesAhead, threshold) => {
          const now = new Date(nowMs);
          const deadline = new Date(nowMs + minutesAhead * 60_000);
          const result = deadlineStatus({ deadline, now, closed: false, dueSoonWorkingDays: threshold });
          const today = DateTime.fromJSDate(now, { zone: ZONE }).toISODate()!;
          const deadlineDay = DateTime.fromJSDate(deadline, { zone: ZONE }).toISODate()!;
          const expected = workingDaysBetween(today, deadlineDay) <= threshold ? 'due_soon' : 'ok';
          expect(result.deadlineStatus).to.equal(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts daysLeft between the Danish calendar dates of now and the deadline, for any instants since 1900', () => {
    const danishDay = (instant: Date) => DateTime.fromJSDate(instant, { zone: ZONE }).startOf('day').setZone('UTC', { keepLocalTime: true });
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2031, 11, 31) }),
        fc.integer({ min: -400 * 24 * 60, max: 400 * 24 * 60 }),
        (nowMs, minutesAhead) => {
          const now = new Date(nowMs);
          const deadline = new Date(nowMs + minutesAhead * 60_000);
          const expected = Math.round(danishDay(deadline).diff(danishDay(now), 'days').days);
          expect(deadlineStatus({ deadline, now, closed: true }).daysLeft).to.equal(expected);
        },
      ),
      { numRuns: 1000 },
    );
    // The minute before and the minute of Danish midnight on the nights summer time starts and ends in 2026.
    for (const iso of ['2026-03-28T22:59:00Z', '2026-03-28T23:00:00Z', '2026-10-24T21:59:00Z', '2026-10-24T22:00:00Z']) {
      const now = new Date(iso);
      const deadline = new Date('2026-12-01T12:00:00Z');
      const expected = Math.round(danishDay(deadline).diff(danishDay(now), 'days').days);
      expect(deadlineStatus({ deadline, now, closed: false }).daysLeft, iso).to.equal(expected);
    }
  });

  it('does not count Easter, Christmas or weekends', () => {
    // From Wednesday 1 April 2026: Maundy Thursday, Good Friday, the Easter weekend and Easter Monday
    // are off, so Tuesday 7 and Wednesday 8 April are the only two working days up to the deadline.
    const now = new Date('2026-04-01T10:00:00+02:00');
    const deadline = new Date('2026-04-08T12:00:00+02:00');
    expect(deadlineStatus({ deadline, now, closed: false, dueSoonWorkingDays: 2 }).deadlineStatus).to.equal('due_soon');
    expect(deadlineStatus({ deadline, now, closed: false, dueSoonWorkingDays: 0 }).deadlineStatus).to.equal('ok');
  });
});

describe('Danish date formatting', () => {
  it('gives what luxon gives in Danish for any instant, across summer time', async () => {
    const { danishDate, formatDanishDate, formatDanishDateTime } = await import('../../src/domain/time.ts');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 11, 31) }), (ms) => {
        const instant = new Date(ms);
        const dt = DateTime.fromJSDate(instant, { zone: ZONE }).setLocale('da');
        expect(danishDate(instant)).to.equal(dt.toISODate());
        expect(formatDanishDate(instant)).to.equal(dt.toFormat('d. MMMM yyyy'));
        expect(formatDanishDateTime(instant)).to.equal(`${dt.toFormat('d. MMMM yyyy')}, kl. ${dt.toFormat('HH.mm')}`);
      }),
      { numRuns: 500 },
    );
    expect(formatDanishDateTime(new Date('2026-03-12T11:00:00Z'))).to.equal('12. marts 2026, kl. 12.00');
    expect(formatDanishDateTime(new Date('2026-10-25T00:30:00Z'))).to.equal('25. oktober 2026, kl. 02.30');
  });
});
