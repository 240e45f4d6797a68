import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';

/** Failed logins allowed before a pause, per account and per network address. */
export const LOGIN_LIMITS = {
  perAccount: { points: 5, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAddress: { points: 30, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

/**
 * Counts failed logins in PostgreSQL (rate-limiter-flexible), so every app process behind a
 * load balancer sees the same counters.
 */
export class LoginThrottle {
  private readonly perAccount: RateLimiterPostgres;
  private readonly perAddress: RateLimiterPostgres;

  constructor(pool: pg.Pool) {
    const common = { storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true };
    this.perAccount = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'login_account',
      points: LOGIN_LIMITS.perAccount.points,
      duration: LOGIN_LIMITS.perAccount.durationSeconds,
      blockDuration: LOGIN_LIMITS.perAccount.blockSeconds,
    });
    this.perAddress = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'login_address',
      points: LOGIN_LIMITS.perAddress.points,
      duration: LOGIN_LIMITS.perAddress.durationSeconds,
      blockDuration: LOGIN_LIMITS.perAddress.blockSeconds,
    });
  }

  /** Throws TOO_MANY_REQUESTS when this account or address has failed too often lately. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const [account, ip] = await Promise.all([this.perAccount.get(email), this.perAddress.get(address)]);
    const blocked = [
      [account, LOGIN_LIMITS.perAccount.points],
      [ip, LOGIN_LIMITS.perAddress.points],
    ] as const;
    for (const [res, points] of blocked) {
      if (res && res.consumedPoints >= points) {
        throw tooMany(res.msBeforeNext);
      }
    }
  }

  /** Counts one failed attempt against the account and the address. */
  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.perAccount.consume(email).catch(ignoreLimitReached),
      this.perAddress.consume(address).catch(ignoreLimitReached),
    ]);
  }

  /** Forgets the account's failures after a successful login. */
  async recordSuccess(email: string): Promise<void> {
    await this.perAccount.delete(email);
  }
}

function ignoreLimitReached(error: unknown): void {
  if (error instanceof RateLimiterRes) return;
  throw error;
}

function tooMany(msBeforeNext: number): AppError {
  const minutes = Math.max(1, Math.ceil(msBeforeNext / 60000));
  return new AppError(
    'TOO_MANY_REQUESTS',
    `For mange mislykkede login-forsøg. Prøv igen om ${minutes} ${minutes === 1 ? 'minut' : 'minutter'}.`,
    { meta: { retryAfterSeconds: Math.ceil(msBeforeNext / 1000) } },
  );
}
