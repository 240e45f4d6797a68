import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';

/**
 * How many requests one API key may make per minute. Counted in this process's memory: an API
 * request then costs no database write, and a key that floods one process is held back there; with
 * several processes a key may make the limit's number of requests in each.
 */
export class ApiRateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(requestsPerMinute: number) {
    this.limiter = new RateLimiterMemory({ points: requestsPerMinute, duration: 60 });
  }

  /** Counts one request of the key; throws TOO_MANY_REQUESTS (with `retryAfterSeconds`) once its minute is used up. */
  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new AppError('TOO_MANY_REQUESTS', `For mange forespørgsler med denne API-nøgle. Prøv igen om ${seconds} sekunder.`, {
        meta: { retryAfterSeconds: seconds },
      });
    }
  }
}
