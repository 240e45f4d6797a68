import { expect } from 'chai';
import { loggableUrl } from '../../src/http/middleware/request-log.ts';

describe('loggableUrl', () => {
  it('hides the secret of a reset, status, calendar, unsubscribe, vote or subscription link and leaves other URLs alone', () => {
    expect(loggableUrl('/password/reset/pw_abc-DEF_123')).to.equal('/password/reset/[skjult]');
    expect(loggableUrl('/status/Zm9vYmFy?x=1')).to.equal('/status/[skjult]?x=1');
    expect(loggableUrl('/calendar/cal_abc123.ics')).to.equal('/calendar/[skjult].ics');
    expect(loggableUrl('/reminders/unsubscribe/12-3-abc_DEF-xyz')).to.equal('/reminders/unsubscribe/[skjult]');
    expect(loggableUrl('/vote/wp_abc-DEF_123')).to.equal('/vote/[skjult]');
    expect(loggableUrl('/abonnement/bekraeft/ab_abc-DEF_123')).to.equal('/abonnement/bekraeft/[skjult]');
    expect(loggableUrl('/abonnement/afmeld/12-3-abc_DEF-xyz')).to.equal('/abonnement/afmeld/[skjult]');
    expect(loggableUrl('/consultations/123?q=status')).to.equal('/consultations/123?q=status');
    expect(loggableUrl('/password/forgot')).to.equal('/password/forgot');
  });
});
