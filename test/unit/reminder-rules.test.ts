import { expect } from 'chai';
import { approvalOverdue, dueDeadlineThreshold } from '../../src/domain/reminders/service.ts';
import { parseDeadline } from '../../src/domain/time.ts';

const at = (local: string) => parseDeadline(local)!;
const THRESHOLDS = [10, 3, 0];

describe('reminder rules (working days, Danish time)', () => {
  it('only the tightest threshold reached is due, and nothing after the deadline', () => {
    const deadline = at('2026-12-15T12:00'); // Tuesday
    expect(dueDeadlineThreshold(deadline, at('2026-11-30T09:00'), THRESHOLDS)).to.equal(undefined); // 11 working days
    expect(dueDeadlineThreshold(deadline, at('2026-12-01T09:00'), THRESHOLDS)).to.equal(10);
    expect(dueDeadlineThreshold(deadline, at('2026-12-10T09:00'), THRESHOLDS)).to.equal(3);
    expect(dueDeadlineThreshold(deadline, at('2026-12-14T09:00'), THRESHOLDS)).to.equal(3); // 1 working day: still the 3-day reminder
    expect(dueDeadlineThreshold(deadline, at('2026-12-15T08:00'), THRESHOLDS)).to.equal(0);
    expect(dueDeadlineThreshold(deadline, at('2026-12-15T12:01'), THRESHOLDS)).to.equal(undefined);
  });

  it('a weekend does not count: 3 working days before a Tuesday deadline is the Thursday before', () => {
    const deadline = at('2026-12-08T12:00'); // Tuesday
    expect(dueDeadlineThreshold(deadline, at('2026-12-02T12:00'), [3])).to.equal(undefined); // Wednesday: 4 working days
    expect(dueDeadlineThreshold(deadline, at('2026-12-03T12:00'), [3])).to.equal(3); // Thursday
  });

  it('Easter 2026: 3 working days before Tuesday 7 April is Monday 30 March (2–6 April are holidays)', () => {
    const deadline = at('2026-04-07T12:00');
    expect(dueDeadlineThreshold(deadline, at('2026-03-27T12:00'), [3])).to.equal(undefined);
    expect(dueDeadlineThreshold(deadline, at('2026-03-30T12:00'), [3])).to.equal(3);
  });

  it('Christmas: 3 working days before 5 January 2027 is 29 December', () => {
    const deadline = at('2027-01-05T12:00');
    expect(dueDeadlineThreshold(deadline, at('2026-12-28T12:00'), [3])).to.equal(undefined);
    expect(dueDeadlineThreshold(deadline, at('2026-12-29T12:00'), [3])).to.equal(3);
  });

  it('approval waits more than 2 working days: asked on a Thursday, the chair hears on Tuesday', () => {
    const asked = at('2026-12-03T15:00');
    expect(approvalOverdue(asked, at('2026-12-07T09:00'))).to.equal(false);
    expect(approvalOverdue(asked, at('2026-12-08T09:00'))).to.equal(true);
    // Over Christmas: asked 23 December, the next working days are 28, 29 and 30 December.
    expect(approvalOverdue(at('2026-12-23T10:00'), at('2026-12-29T10:00'))).to.equal(false);
    expect(approvalOverdue(at('2026-12-23T10:00'), at('2026-12-30T10:00'))).to.equal(true);
  });
});
