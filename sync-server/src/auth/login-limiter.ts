import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Brute-force protection for sign-in, per process:
 * - per account, across addresses: the first FREE_FAILURES wrong passwords cost nothing; from
 *   then on each failure makes the account wait, twice as long as the last time (30 s, 1 min,
 *   2 min… at most 15 min). A growing delay rather than a lock: guessing stays slow, and an
 *   attacker cannot shut a crew out for a shift. A tablet that proves (with its secret) that the
 *   person already signed in on it is not made to wait: the delay is for strangers' guesses;
 * - failed attempts per address: stops one address from spraying many usernames. Sign-ins that
 *   succeed do not count: a yard's tablets often share one address, and a shift starting at once
 *   must not lock itself out. The address is the connection's, or X-Forwarded-For's only from
 *   proxies TRUST_PROXY names (http/app.ts).
 * A successful sign-in clears the account's failures. Failures are forgotten after an hour of quiet.
 */
export const FREE_FAILURES = 5;
export const FIRST_DELAY_SECONDS = 30;
export const MAX_DELAY_SECONDS = 15 * 60;
export const FORGET_AFTER_SECONDS = 60 * 60;
export const MAX_ATTEMPTS_PER_ADDRESS = 50;
const ADDRESS_WINDOW_SECONDS = 15 * 60;
/** Accounts remembered at most (each entry is tiny); the oldest are forgotten first. */
const MAX_TRACKED_ACCOUNTS = 100_000;

export interface LoginLimiter {
  /**
   * Seconds to wait when the attempt must be refused, else undefined. `isKnownDevice` is asked
   * only while the account is being delayed.
   */
  check(username: string, address: string, options?: { isKnownDevice?: () => Promise<boolean> }): Promise<number | undefined>;
  recordFailure(username: string, address: string): void;
  recordSuccess(username: string): void;
}

interface Failures {
  count: number;
  lastAt: number;
  waitUntil: number;
}

/** The wait after the `count`-th failure, in seconds (0 while failures are free). */
export function delayAfter(count: number): number {
  if (count < FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_SECONDS * 2 ** (count - FREE_FAILURES), MAX_DELAY_SECONDS);
}

export function createLoginLimiter(now: () => number = Date.now): LoginLimiter {
  const accounts = new Map<string, Failures>();
  const attempts = new RateLimiterMemory({
    keyPrefix: 'login-addr',
    points: MAX_ATTEMPTS_PER_ADDRESS,
    duration: ADDRESS_WINDOW_SECONDS,
  });
  const key = (username: string) => username.trim().toLowerCase();
  const current = (username: string): Failures | undefined => {
    const entry = accounts.get(key(username));
    if (entry && now() - entry.lastAt > FORGET_AFTER_SECONDS * 1000) {
      accounts.delete(key(username));
      return undefined;
    }
    return entry;
  };

  return {
    async check(username, address, { isKnownDevice } = {}) {
      const failures = current(username);
      if (failures && failures.waitUntil > now() && !(await isKnownDevice?.())) {
        return Math.max(1, Math.ceil((failures.waitUntil - now()) / 1000));
      }
      const failed = await attempts.get(address);
      if (failed && failed.consumedPoints >= MAX_ATTEMPTS_PER_ADDRESS) return Math.max(1, Math.ceil(failed.msBeforeNext / 1000));
      return undefined;
    },
    recordFailure(username, address) {
      // Past the budget the consume is refused: the address is already being turned away.
      attempts.consume(address).catch((refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
      });
      const entry = current(username) ?? { count: 0, lastAt: 0, waitUntil: 0 };
      entry.count += 1;
      entry.lastAt = now();
      entry.waitUntil = now() + delayAfter(entry.count) * 1000;
      accounts.delete(key(username)); // re-inserted last: Map order is the forgetting order
      accounts.set(key(username), entry);
      if (accounts.size > MAX_TRACKED_ACCOUNTS) accounts.delete(accounts.keys().next().value!);
    },
    recordSuccess(username) {
      accounts.delete(key(username));
    },
  };
}
