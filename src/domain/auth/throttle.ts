import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import { sha256Hex } from './digest.ts';

/**
 * Login attempts allowed per 15 minutes before a 15-minute pause (OWASP's Authentication Cheat
 * Sheet): few per account from one address, so a guesser elsewhere cannot lock the real user out
 * of their own machine; many more per account from anywhere, the ceiling against guessing spread
 * over many addresses; and a limit per address, against one machine trying many accounts. A
 * successful login gives its attempt back, so only failures use the limits up.
 */
export const LOGIN_LIMITS = {
  perAccountAndAddress: { points: 5, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAccount: { points: 100, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAddress: { points: 30, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

type LimitName = keyof typeof LOGIN_LIMITS;

/**
 * Password-reset mails asked for per hour: a few per e-mail (nobody's inbox is flooded) and more
 * per address (one machine cannot mail the whole staff). Unknown e-mails count the same, so the
 * limit tells nothing about which exist.
 */
export const RESET_REQUEST_LIMITS = {
  perEmail: { points: 3, durationSeconds: 60 * 60, blockSeconds: 60 * 60 },
  perAddress: { points: 10, durationSeconds: 60 * 60, blockSeconds: 60 * 60 },
} as const;

/**
 * Subscriptions to a council's public page asked for per hour: the confirmation mail goes to an
 * address the visitor typed, so a few per e-mail (nobody is flooded with links they did not ask
 * for) and more per address (one machine cannot mail a list of strangers).
 */
export const SUBSCRIBE_REQUEST_LIMITS = {
  perEmail: { points: 3, durationSeconds: 60 * 60, blockSeconds: 60 * 60 },
  perAddress: { points: 10, durationSeconds: 60 * 60, blockSeconds: 60 * 60 },
} as const;

/** One counter's limit: attempts per window, and the pause once they are used up. */
export interface LoginLimit {
  points: number;
  durationSeconds: number;
  blockSeconds: number;
}

/**
 * Counts login attempts (and requests for password-reset mails) in PostgreSQL
 * (rate-limiter-flexible), so every app process behind a load balancer sees the same counters. An attempt takes its point before the password is checked, in
 * one atomic upsert per counter: of many concurrent guesses only as many as the limit allows get
 * their password checked.
 */
export class LoginThrottle {
  private readonly limiters: Record<LimitName, RateLimiterPostgres>;
  private readonly resetLimiters: Record<keyof typeof RESET_REQUEST_LIMITS, RateLimiterPostgres>;
  private readonly subscribeLimiters: Record<keyof typeof SUBSCRIBE_REQUEST_LIMITS, RateLimiterPostgres>;

  /** `limits` other than LOGIN_LIMITS are for tests, which need small ones; `keyPrefix` keeps their counters apart. */
  constructor(pool: pg.Pool, limits: Record<LimitName, LoginLimit> = LOGIN_LIMITS, keyPrefix = 'login') {
    const common = { storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true };
    const limiter = (name: string, limit: LoginLimit) =>
      new RateLimiterPostgres({
        ...common,
        keyPrefix: `${keyPrefix}_${name}`,
        points: limit.points,
        duration: limit.durationSeconds,
        blockDuration: limit.blockSeconds,
      });
    this.limiters = {
      perAddress: limiter('address', limits.perAddress),
      perAccountAndAddress: limiter('account_address', limits.perAccountAndAddress),
      perAccount: limiter('account', limits.perAccount),
    };
    this.resetLimiters = {
      perAddress: limiter('reset_address', RESET_REQUEST_LIMITS.perAddress),
      perEmail: limiter('reset_email', RESET_REQUEST_LIMITS.perEmail),
    };
    this.subscribeLimiters = {
      perAddress: limiter('subscribe_address', SUBSCRIBE_REQUEST_LIMITS.perAddress),
      perEmail: limiter('subscribe_email', SUBSCRIBE_REQUEST_LIMITS.perEmail),
    };
  }

  /**
   * Takes one attempt from the address, the account at this address and the account, in that
   * order; throws TOO_MANY_REQUESTS at the first limit that is used up (the password must then
   * not be checked). The narrower counters come first, so a blocked address spends nothing of the
   * account's wide ceiling.
   */
  async consumeAttempt(email: string, address: string): Promise<void> {
    const keys = keysOf(email, address);
    await consumeInTurn(
      [
        [this.limiters.perAddress, keys.perAddress],
        [this.limiters.perAccountAndAddress, keys.perAccountAndAddress],
        [this.limiters.perAccount, keys.perAccount],
      ],
      LOGIN_TOO_MANY,
    );
  }

  /** Counts one request for a password-reset mail; throws TOO_MANY_REQUESTS when there were too many. */
  async consumeResetRequest(email: string, address: string): Promise<void> {
    await consumeInTurn(
      [
        [this.resetLimiters.perAddress, address],
        [this.resetLimiters.perEmail, sha256Hex(email)],
      ],
      RESET_TOO_MANY,
    );
  }

  /** Counts one request to subscribe `email` to a council's mails; throws TOO_MANY_REQUESTS when there were too many. */
  async consumeSubscribeRequest(email: string, address: string): Promise<void> {
    await consumeInTurn(
      [
        [this.subscribeLimiters.perAddress, address],
        [this.subscribeLimiters.perEmail, sha256Hex(email)],
      ],
      SUBSCRIBE_TOO_MANY,
    );
  }

  /**
   * After a successful login: gives the attempt back to the address and the account, and forgets
   * the failures of this account at this address.
   */
  async recordSuccess(email: string, address: string): Promise<void> {
    const keys = keysOf(email, address);
    await Promise.all([
      this.limiters.perAddress.reward(keys.perAddress),
      this.limiters.perAccount.reward(keys.perAccount),
      this.limiters.perAccountAndAddress.delete(keys.perAccountAndAddress),
    ]);
  }
}

/**
 * The counters' keys. Those naming an account are SHA-256 hashes: the table's key column holds 255
 * characters, less than a long e-mail with an address, and the table need not list who tried to
 * log in. An e-mail cannot contain a space, so the pair's key is unambiguous.
 */
function keysOf(email: string, address: string): Record<LimitName, string> {
  return { perAddress: address, perAccountAndAddress: sha256Hex(`${email} ${address}`), perAccount: sha256Hex(email) };
}

const LOGIN_TOO_MANY = 'For mange mislykkede login-forsøg.';
const RESET_TOO_MANY = 'Der er bedt om for mange nye adgangskoder.';
const SUBSCRIBE_TOO_MANY = 'Der er bedt om for mange abonnementer.';

/** Takes a point from each limiter in turn; throws TOO_MANY_REQUESTS at the first that is used up. */
async function consumeInTurn(counters: Array<[RateLimiterPostgres, string]>, what: string): Promise<void> {
  for (const [limiter, key] of counters) {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooMany(what, error.msBeforeNext);
      throw error;
    }
  }
}

function tooMany(what: string, msBeforeNext: number): AppError {
  const minutes = Math.max(1, Math.ceil(msBeforeNext / 60000));
  return new AppError('TOO_MANY_REQUESTS', `${what} Prøv igen om ${minutes} ${minutes === 1 ? 'minut' : 'minutter'}.`, {
    meta: { retryAfterSeconds: Math.ceil(msBeforeNext / 1000) },
  });
}
