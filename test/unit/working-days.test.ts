import { expect } from 'chai';
import { deadlineStatus, isDanishHoliday, isWorkingDay, subtractWorkingDays, workingDaysBetween } from '../../src/domain/deadlines/status.ts';
import { parseDeadline } from '../../src/domain/time.ts';

/** An instant given in Danish local time, e.g. at('2026-03-30T12:00'). */
function at(local: string): Date {
  const d = parseDeadline(local);
  if (!d) throw new Error(`bad date ${local}`);
  return d;
}

describe('working days (Danish calendar)', () => {
  it('weekends are not working days', () => {
    expect(isWorkingDay('2026-03-06')).to.equal(true); // Friday
    expect(isWorkingDay('2026-03-07')).to.equal(false); // Saturday
    expect(isWorkingDay('2026-03-08')).to.equal(false); // Sunday
    expect(workingDaysBetween('2026-03-06', '2026-03-09')).to.equal(1); // Fri → Mon
    expect(subtractWorkingDays('2026-03-09', 1)).to.equal('2026-03-06');
  });

  it('Easter 2026: Skærtorsdag, Langfredag and 2. påskedag are holidays', () => {
    expect(isDanishHoliday('2026-04-02')).to.equal(true); // Skærtorsdag
    expect(isDanishHoliday('2026-04-03')).to.equal(true); // Langfredag
    expect(isDanishHoliday('2026-04-06')).to.equal(true); // 2. påskedag
    expect(isWorkingDay('2026-04-01')).to.equal(true);
    expect(isWorkingDay('2026-04-07')).to.equal(true);
    // Wed 1 April → Tue 7 April: only the Tuesday counts.
    expect(workingDaysBetween('2026-04-01', '2026-04-07')).to.equal(1);
    expect(workingDaysBetween('2026-04-07', '2026-04-01')).to.equal(-1);
    expect(subtractWorkingDays('2026-04-07', 1)).to.equal('2026-04-01');
    expect(subtractWorkingDays('2026-04-07', 5)).to.equal('2026-03-26');
  });

  it('Kristi himmelfartsdag and 2. pinsedag are holidays; Store bededag is abolished', () => {
    expect(isDanishHoliday('2026-05-14')).to.equal(true); // Kristi himmelfartsdag
    expect(isWorkingDay('2026-05-15')).to.equal(true); // the Friday after is an ordinary day
    expect(isDanishHoliday('2026-05-25')).to.equal(true); // 2. pinsedag
    expect(workingDaysBetween('2026-05-22', '2026-05-26')).to.equal(1);
    // 1 May 2026 would have been Store bededag; abolished from 2024, and 1 May is no public holiday.
    expect(isWorkingDay('2026-05-01')).to.equal(true);
  });

  it('Christmas: 24, 25, 26 and 31 December and 1 January are not working days', () => {
    // date-holidays marks 24 December only as an observance; municipal offices are closed, so we
    // treat it (and 31 December) as closed.
    for (const day of ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01']) {
      expect(isWorkingDay(day), day).to.equal(false);
    }
    expect(isWorkingDay('2026-12-23')).to.equal(true);
    expect(isWorkingDay('2026-12-28')).to.equal(true);
    // Wed 23 December → Mon 4 January 2027: 28, 29, 30 December and 4 January.
    expect(workingDaysBetween('2026-12-23', '2027-01-04')).to.equal(4);
    expect(subtractWorkingDays('2027-01-04', 5)).to.equal('2026-12-22');
  });

  it('Grundlovsdag (5 June) counts as a non-working day, the other days of June do not', () => {
    expect(isWorkingDay('2026-06-05')).to.equal(false);
    expect(isWorkingDay('2026-06-04')).to.equal(true);
    expect(isWorkingDay('2027-06-04')).to.equal(true);
    expect(workingDaysBetween('2026-06-04', '2026-06-08')).to.equal(1);
  });
});

describe('deadlineStatus', () => {
  const deadline = at('2026-03-16T12:00'); // Monday

  it('counts working days, so a weekend does not eat into the warning', () => {
    // Monday 9 March → Monday 16 March: 5 working days left → due soon at the default 5.
    expect(deadlineStatus({ deadline, now: at('2026-03-09T09:00'), closed: false })).to.deep.equal({
      daysLeft: 7,
      workingDaysLeft: 5,
      deadlineStatus: 'due_soon',
    });
    // Friday 6 March: 6 working days left → ok.
    expect(deadlineStatus({ deadline, now: at('2026-03-06T09:00'), closed: false })).to.deep.equal({
      daysLeft: 10,
      workingDaysLeft: 6,
      deadlineStatus: 'ok',
    });
  });

  it('Easter pushes a deadline into "due soon" earlier', () => {
    const afterEaster = at('2026-04-08T12:00'); // Wednesday after Easter
    // From Monday 30 March: 31 Mar, 1 Apr, 7 Apr, 8 Apr = 4 working days, although 9 calendar days.
    expect(deadlineStatus({ deadline: afterEaster, now: at('2026-03-30T09:00'), closed: false })).to.deep.equal({
      daysLeft: 9,
      workingDaysLeft: 4,
      deadlineStatus: 'due_soon',
    });
  });

  /** daysLeft and workingDaysLeft from `now` to a deadline at 12.00 on `deadlineDay` (both Danish time). */
  const counts = (now: string, deadlineDay: string) => {
    const { daysLeft, workingDaysLeft } = deadlineStatus({ deadline: at(`${deadlineDay}T12:00`), now: at(now), closed: false });
    return { daysLeft, workingDaysLeft };
  };

  it('daysLeft counts calendar days and workingDaysLeft the working days among them, around a weekend', () => {
    // Friday 6 March → Monday 9 March: three calendar days, one working day (the Monday).
    expect(counts('2026-03-06T09:00', '2026-03-09')).to.deep.equal({ daysLeft: 3, workingDaysLeft: 1 });
    // Friday → Saturday: a day left, but no working day before the deadline.
    expect(counts('2026-03-06T09:00', '2026-03-07')).to.deep.equal({ daysLeft: 1, workingDaysLeft: 0 });
    // On the day itself nothing is left to count.
    expect(counts('2026-03-09T09:00', '2026-03-09')).to.deep.equal({ daysLeft: 0, workingDaysLeft: 0 });
  });

  it('Easter 2026: Skærtorsdag to 2. påskedag leave two working days in a week', () => {
    // Wednesday 1 April → Wednesday 8 April: 2–6 April are off; 7 and 8 April count.
    expect(counts('2026-04-01T09:00', '2026-04-08')).to.deep.equal({ daysLeft: 7, workingDaysLeft: 2 });
  });

  it('Grundlovsdag, 5 June, is closed like a holiday', () => {
    // Thursday 4 June → Monday 8 June 2026: Friday 5 June is Grundlovsdag, so only the Monday counts.
    expect(counts('2026-06-04T09:00', '2026-06-08')).to.deep.equal({ daysLeft: 4, workingDaysLeft: 1 });
    // Thursday 4 June → Thursday 11 June: 8, 9, 10, 11 June.
    expect(counts('2026-06-04T09:00', '2026-06-11')).to.deep.equal({ daysLeft: 7, workingDaysLeft: 4 });
  });

  it('24 and 31 December are closed as well as 25, 26 December and 1 January', () => {
    // Wednesday 23 December 2026 → Monday 4 January 2027: 28, 29, 30 December and 4 January count;
    // 24 (juleaftensdag), 25, 26, 31 (nytårsaftensdag) December and 1 January do not.
    expect(counts('2026-12-23T09:00', '2027-01-04')).to.deep.equal({ daysLeft: 12, workingDaysLeft: 4 });
    // Tuesday 30 → Thursday 31 December: the day is left, but no working day.
    expect(counts('2026-12-30T09:00', '2026-12-31')).to.deep.equal({ daysLeft: 1, workingDaysLeft: 0 });
  });

  it('is overdue the minute after the deadline, and closed wins', () => {
    expect(deadlineStatus({ deadline, now: at('2026-03-16T11:59'), closed: false }).deadlineStatus).to.equal('due_soon');
    expect(deadlineStatus({ deadline, now: at('2026-03-16T12:01'), closed: false })).to.deep.equal({
      daysLeft: 0,
      workingDaysLeft: null,
      deadlineStatus: 'overdue',
    });
    expect(deadlineStatus({ deadline, now: at('2026-03-20T12:00'), closed: true })).to.deep.equal({
      daysLeft: -4,
      workingDaysLeft: null,
      deadlineStatus: 'closed',
    });
  });

  it('a deadline at 12.00 the day after summer time starts (29 March 2026)', () => {
    const dstDeadline = at('2026-03-30T12:00');
    expect(dstDeadline.toISOString()).to.equal('2026-03-30T10:00:00.000Z'); // CEST, UTC+2
    // Saturday before the switch (CET): two calendar days, one working day.
    expect(deadlineStatus({ deadline: dstDeadline, now: at('2026-03-28T12:00'), closed: false })).to.deep.equal({
      daysLeft: 2,
      workingDaysLeft: 1,
      deadlineStatus: 'due_soon',
    });
    // Late Saturday evening: the 23-hour Sunday must not make it 1 day.
    expect(deadlineStatus({ deadline: dstDeadline, now: at('2026-03-28T23:30'), closed: false }).daysLeft).to.equal(2);
    // 11.00 UTC is 13.00 in Copenhagen: overdue, though it would be 11.00 in CET.
    expect(deadlineStatus({ deadline: dstDeadline, now: new Date('2026-03-30T10:30:00Z'), closed: false }).deadlineStatus).to.equal('overdue');
    expect(deadlineStatus({ deadline: dstDeadline, now: new Date('2026-03-30T09:30:00Z'), closed: false }).deadlineStatus).to.equal('due_soon');
  });

  it('a deadline at 12.00 the day after summer time ends (25 October 2026)', () => {
    const dstDeadline = at('2026-10-26T12:00');
    expect(dstDeadline.toISOString()).to.equal('2026-10-26T11:00:00.000Z'); // CET, UTC+1
    // Saturday 24 October 23.30 CEST: the 25-hour Sunday must not make it 3 days.
    expect(deadlineStatus({ deadline: dstDeadline, now: at('2026-10-24T23:30'), closed: false })).to.deep.equal({
      daysLeft: 2,
      workingDaysLeft: 1,
      deadlineStatus: 'due_soon',
    });
    expect(deadlineStatus({ deadline: dstDeadline, now: new Date('2026-10-26T10:30:00Z'), closed: false }).deadlineStatus).to.equal('due_soon');
  });
});
