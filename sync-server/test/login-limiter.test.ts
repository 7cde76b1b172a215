import { describe, expect, it } from 'vitest';
import {
  createLoginLimiter,
  delayAfter,
  FIRST_DELAY_SECONDS,
  FORGET_AFTER_SECONDS,
  FREE_FAILURES,
  MAX_ATTEMPTS_PER_ADDRESS,
  MAX_DELAY_SECONDS,
} from '../src/auth/login-limiter.ts';

/** The per-account sign-in delay, on a clock the test moves. */
function limiterAt(start = 1_000_000) {
  let now = start;
  const limiter = createLoginLimiter(() => now);
  return { limiter, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('sign-in delay per account', () => {
  it('grows by doubling after the free failures, up to its ceiling', () => {
    const delays = Array.from({ length: 12 }, (_, i) => delayAfter(i + 1));
    expect(delays.slice(0, FREE_FAILURES - 1)).toEqual(Array(FREE_FAILURES - 1).fill(0));
    expect(delays.slice(FREE_FAILURES - 1, FREE_FAILURES + 2)).toEqual([FIRST_DELAY_SECONDS, 2 * FIRST_DELAY_SECONDS, 4 * FIRST_DELAY_SECONDS]);
    expect(Math.max(...delays)).toBe(MAX_DELAY_SECONDS);
  });

  it('applies across addresses, and lets the account in again once the delay has passed', async () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect(await limiter.check('Rosa', `10.0.0.${i}`)).toBeUndefined();
      limiter.recordFailure('rosa', '10.0.0.1');
    }
    expect(await limiter.check('ROSA ', '10.0.1.1')).toBe(FIRST_DELAY_SECONDS);
    advance(FIRST_DELAY_SECONDS);
    expect(await limiter.check('rosa', '10.0.1.1')).toBeUndefined();
    limiter.recordFailure('rosa', '10.0.0.1');
    expect(await limiter.check('rosa', '10.0.1.2')).toBe(2 * FIRST_DELAY_SECONDS);
    // Another account is not affected.
    expect(await limiter.check('tomas', '10.0.1.2')).toBeUndefined();
  });

  it('does not make a person wait on a tablet they already use (an attacker cannot lock a crew out)', async () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < FREE_FAILURES + 3; i++) limiter.recordFailure('rosa', '10.0.0.1');
    expect(await limiter.check('rosa', '10.0.0.9')).toBeGreaterThan(0);
    expect(await limiter.check('rosa', '10.0.0.9', { isKnownDevice: async () => true })).toBeUndefined();
    expect(await limiter.check('rosa', '10.0.0.9', { isKnownDevice: async () => false })).toBeGreaterThan(0);
  });

  it('is cleared by a sign-in, and forgotten after an hour of quiet', async () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < FREE_FAILURES; i++) limiter.recordFailure('rosa', '10.0.0.1');
    limiter.recordSuccess('rosa');
    expect(await limiter.check('rosa', '10.0.0.1')).toBeUndefined();
    for (let i = 0; i < FREE_FAILURES + 5; i++) limiter.recordFailure('rosa', '10.0.0.1');
    advance(FORGET_AFTER_SECONDS + 1);
    expect(await limiter.check('rosa', '10.0.0.1')).toBeUndefined();
    limiter.recordFailure('rosa', '10.0.0.1');
    expect(await limiter.check('rosa', '10.0.0.1')).toBeUndefined(); // counting starts again
  });
});

describe('sign-in attempts per address', () => {
  it('counts failed attempts only: a yard whose tablets share one address can sign in all at once', async () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 3 * MAX_ATTEMPTS_PER_ADDRESS; i++) {
      expect(await limiter.check(`person-${i}`, '192.168.1.1')).toBeUndefined();
      limiter.recordSuccess(`person-${i}`);
    }
    for (let i = 0; i < MAX_ATTEMPTS_PER_ADDRESS; i++) {
      expect(await limiter.check(`guess-${i}`, '192.168.1.1')).toBeUndefined();
      limiter.recordFailure(`guess-${i}`, '192.168.1.1');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await limiter.check('someone', '192.168.1.1')).toBeGreaterThan(0);
    expect(await limiter.check('someone', '192.168.1.2')).toBeUndefined();
  });
});
