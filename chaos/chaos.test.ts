import { afterAll, describe, expect, it } from 'vitest';
import { Environment } from '../bench/lib/environment.ts';
import { CHEAP_FAULTS } from './faults.ts';
import { runChaos } from './harness.ts';
import { renderReport } from './report.ts';

/**
 * A short, seeded chaos run (chaos/harness.ts) in the test suite: a few tablets, a hundred-odd
 * commands, the faults that need no process restart — network cuts, silent links, slow answers,
 * uploads delivered twice, an access token expiring under queued commands, a 409 (feed
 * compaction) in the middle of a tablet's sync — and one tablet offline until the end. It fails
 * when any of the run's checks fails: a command lost or applied twice, a tablet unlike the server,
 * the ledger off, a refusal missing from its tablet. `npm run chaos` runs the long ones.
 */
const env = new Environment();

afterAll(async () => {
  const failed = await env.cleanUp();
  expect(failed).toEqual([]);
});

describe('a short chaos run', () => {
  it('loses nothing, applies nothing twice, and every tablet ends equal to the server', { timeout: 180_000 }, async () => {
    const report = await runChaos(
      {
        tablets: 4,
        commands: 120,
        seed: 15,
        durationSeconds: 15,
        faults: 9,
        faultKinds: CHEAP_FAULTS,
        servers: 1,
        offlineTablet: true,
        settleSeconds: 90,
        openConcurrency: 4,
      },
      env,
      () => {},
    );
    const text = renderReport(report);
    console.info(text);
    expect(report.checks.filter((check) => !check.ok).map((check) => check.name), text).toEqual([]);
    // The run did what it is for: commands of many kinds, some refused, every fault kind injected.
    expect(report.commands.byName.size, text).toBeGreaterThanOrEqual(8);
    expect(report.commands.outcomes.byStatus.get('rejected') ?? 0, text).toBeGreaterThan(0);
    expect([...report.faults.injected.keys()].sort(), text).toEqual([...CHEAP_FAULTS].sort());
  });
});
