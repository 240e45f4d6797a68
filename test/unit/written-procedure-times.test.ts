import { expect } from 'chai';
import { procedureReminderAt, proposedProcedureClose } from '../../src/domain/written-procedure/times.ts';
import { toDanishIso, parseDeadline } from '../../src/domain/time.ts';

/** An instant given in Danish local time, e.g. at('2026-03-30T12:00'). */
function at(local: string): Date {
  const d = parseDeadline(local);
  if (!d) throw new Error(`bad date ${local}`);
  return d;
}

const farDeadline = at('2027-12-31T12:00');

describe('written procedure times', () => {
  it('proposes two working days from now at 12.00 Danish time', () => {
    // Monday 9 March 2026 → Wednesday 11 March, 12.00 (winter time, +01:00).
    expect(toDanishIso(proposedProcedureClose(at('2026-03-09T16:45'), farDeadline)!)).to.equal('2026-03-11T12:00:00.000+01:00');
    // Early in the morning counts from the same day.
    expect(proposedProcedureClose(at('2026-03-09T00:30'), farDeadline)!.getTime()).to.equal(at('2026-03-11T12:00').getTime());
  });

  it('skips weekends and Danish holidays', () => {
    // Thursday 5 March 2026 → Monday 9 March.
    expect(proposedProcedureClose(at('2026-03-05T10:00'), farDeadline)!.getTime()).to.equal(at('2026-03-09T12:00').getTime());
    // Saturday → Tuesday (Monday is the first working day).
    expect(proposedProcedureClose(at('2026-03-07T10:00'), farDeadline)!.getTime()).to.equal(at('2026-03-10T12:00').getTime());
    // Wednesday 1 April 2026 before Easter: Skærtorsdag, Langfredag and 2. påskedag skipped → Wednesday 8 April.
    expect(proposedProcedureClose(at('2026-04-01T09:00'), farDeadline)!.getTime()).to.equal(at('2026-04-08T12:00').getTime());
    // 23 December 2026 (Wednesday): 24–26 December and 31 December are closed → Monday 28 December is one, Tuesday 29 the second.
    expect(proposedProcedureClose(at('2026-12-23T09:00'), farDeadline)!.getTime()).to.equal(at('2026-12-29T12:00').getTime());
  });

  it('keeps 12.00 across the change to summer time', () => {
    // Friday 27 March 2026; clocks go forward on Sunday 29 March → Tuesday 31 March, 12.00 +02:00.
    expect(toDanishIso(proposedProcedureClose(at('2026-03-27T11:00'), farDeadline)!)).to.equal('2026-03-31T12:00:00.000+02:00');
  });

  it('proposes nothing when the proposal is not before the deadline', () => {
    const now = at('2026-03-09T10:00');
    expect(proposedProcedureClose(now, at('2026-03-11T12:00'))).to.equal(null);
    expect(proposedProcedureClose(now, at('2026-03-11T11:59'))).to.equal(null);
    expect(proposedProcedureClose(now, at('2026-03-11T12:01'))!.getTime()).to.equal(at('2026-03-11T12:00').getTime());
  });

  it('reminds one working day before closing, at the same time of day', () => {
    expect(procedureReminderAt(at('2026-03-11T12:00')).getTime()).to.equal(at('2026-03-10T12:00').getTime());
    // Closing on a Monday: reminded on the Friday before.
    expect(procedureReminderAt(at('2026-03-09T15:30')).getTime()).to.equal(at('2026-03-06T15:30').getTime());
    // Closing Tuesday 7 April 2026 (after Easter): reminded on Wednesday 1 April.
    expect(procedureReminderAt(at('2026-04-07T12:00')).getTime()).to.equal(at('2026-04-01T12:00').getTime());
    // Closing on a Saturday: the working day before is the Friday.
    expect(procedureReminderAt(at('2026-03-14T12:00')).getTime()).to.equal(at('2026-03-13T12:00').getTime());
    // Across the change to summer time: Danish 12.00 both days, 23 hours apart.
    expect(toDanishIso(procedureReminderAt(at('2026-03-30T12:00')))).to.equal('2026-03-27T12:00:00.000+01:00');
  });
});
