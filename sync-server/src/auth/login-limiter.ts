import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Brute-force protection for sign-in, per process:
 * - failed attempts per username and address: a few guesses, then a quarter-hour pause;
 * - all attempts per address: stops one address from spraying many usernames.
 * A successful sign-in clears that username's failures from that address.
 */
export const MAX_FAILURES_PER_USER_AND_ADDRESS = 5;
export const MAX_ATTEMPTS_PER_ADDRESS = 50;
const WINDOW_SECONDS = 15 * 60;

export interface LoginLimiter {
  /** Seconds to wait when the attempt must be refused, else undefined. */
  check(username: string, address: string): Promise<number | undefined>;
  recordFailure(username: string, address: string): Promise<void>;
  recordSuccess(username: string, address: string): Promise<void>;
}

export function createLoginLimiter(): LoginLimiter {
  const failures = new RateLimiterMemory({
    keyPrefix: 'login-fail',
    points: MAX_FAILURES_PER_USER_AND_ADDRESS,
    duration: WINDOW_SECONDS,
  });
  const attempts = new RateLimiterMemory({
    keyPrefix: 'login-addr',
    points: MAX_ATTEMPTS_PER_ADDRESS,
    duration: WINDOW_SECONDS,
  });
  const key = (username: string, address: string) => `${username.toLowerCase()}|${address}`;

  return {
    async check(username, address) {
      const failed = await failures.get(key(username, address));
      if (failed && failed.remainingPoints <= 0) return seconds(failed);
      try {
        await attempts.consume(address);
        return undefined;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return seconds(refusal);
        throw refusal;
      }
    },
    async recordFailure(username, address) {
      await failures.penalty(key(username, address), 1);
    },
    async recordSuccess(username, address) {
      await failures.delete(key(username, address));
    },
  };
}

function seconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
