import { expect } from 'chai';
import { LoginThrottle } from '../../src/domain/auth/throttle.ts';
import { AppError } from '../../src/domain/errors.ts';
import { testDatabase } from '../support/db.ts';
import { unique } from '../support/factories.ts';

describe('LoginThrottle: the account-wide ceiling', () => {
  const window = { durationSeconds: 900, blockSeconds: 900 };
  // Small limits, under a prefix of their own, so the ceiling is reached in a few attempts.
  const throttle = () =>
    new LoginThrottle(
      testDatabase().pool,
      { perAccountAndAddress: { points: 2, ...window }, perAccount: { points: 5, ...window }, perAddress: { points: 100, ...window } },
      `test_${unique()}`,
    );

  const outcome = (attempt: Promise<void>) =>
    attempt.then(
      () => 'allowed',
      (error: unknown) => (error instanceof AppError ? error.code : error),
    );

  it('blocks the account everywhere once attempts from many addresses reach the ceiling', async () => {
    const limits = throttle();
    const email = `offer-${unique()}@example.dk`;
    for (let i = 1; i <= 5; i++) expect(await outcome(limits.consumeAttempt(email, `192.0.2.${i}`)), `address ${i}`).to.equal('allowed');
    expect(await outcome(limits.consumeAttempt(email, '192.0.2.99'))).to.equal('TOO_MANY_REQUESTS');
    expect(await outcome(limits.consumeAttempt(`anden-${unique()}@example.dk`, '192.0.2.99')), 'another account').to.equal('allowed');
  });

  it('gives a successful attempt back to the account, so logging in often never reaches the ceiling', async () => {
    const limits = throttle();
    const email = `ofte-${unique()}@example.dk`;
    for (let i = 1; i <= 8; i++) {
      expect(await outcome(limits.consumeAttempt(email, `192.0.2.${i}`)), `login ${i}`).to.equal('allowed');
      await limits.recordSuccess(email, `192.0.2.${i}`);
    }
  });
});
