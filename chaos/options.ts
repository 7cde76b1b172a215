import { readOptions } from '../bench/lib/options.ts';
import { FAULT_KINDS, type FaultKind } from './faults.ts';

/** What one chaos run does; the CLI reads it from the command line, the test writes it out. */
export interface ChaosOptions {
  tablets: number;
  /** Commands recorded across all tablets. */
  commands: number;
  seed: number;
  /** The workload is paced to last about this long; faults fall inside it. */
  durationSeconds: number;
  /** Faults injected at random moments (every kind in `faultKinds` at least once). */
  faults: number;
  faultKinds: readonly FaultKind[];
  /** Server processes behind the proxy. */
  servers: number;
  /** Keep one tablet offline from its first sync to the end (needs 2 tablets or more). */
  offlineTablet: boolean;
  /** How long the tablets may take to settle once everything is healed. */
  settleSeconds: number;
  /** Tablets opened (signed in, first copy) at once. */
  openConcurrency: number;
}

const USAGE = `npm run chaos -- [options]

Tablets (the real tablet data layer in Node) record random commands against real server processes
on a real PostgreSQL while faults are injected; then everything is healed and the run checks that
nothing was lost or applied twice, every tablet equals the server, the ledger holds and every
refusal is on its tablet. Exit code 1 when a check fails.

  --tablets N         tablets (default 10)
  --commands N        commands recorded across all tablets (default 1000)
  --seed N            seed of the workload and the fault plan (default 1)
  --duration S        seconds the workload is paced to last; faults fall inside it (default 60)
  --faults N          faults injected (default: 2 per 10 s of duration, at least one of each kind)
  --fault-kinds LIST  comma-separated, of: ${FAULT_KINDS.join(', ')} (default all)
  --servers N         server processes behind one address (default 2)
  --no-offline-tablet do not keep one tablet offline for the whole run
  --settle S          seconds allowed to settle after healing (default 240)
  --open N            tablets opened at once (default 4)`;

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const read = readOptions('chaos', USAGE, argv, {
    texts: ['tablets', 'commands', 'seed', 'duration', 'faults', 'fault-kinds', 'servers', 'settle', 'open'],
    flags: ['no-offline-tablet'],
  });
  const durationSeconds = read.whole('duration', 60, 5, 24 * 3600);
  const faultKinds = read.choices('fault-kinds', FAULT_KINDS.join(','), FAULT_KINDS);
  return {
    tablets: read.whole('tablets', 10, 1, 500),
    commands: read.whole('commands', 1_000, 1, 10_000_000),
    seed: read.whole('seed', 1, 0, 2 ** 31),
    durationSeconds,
    faults: Math.max(faultKinds.length, read.whole('faults', Math.ceil(durationSeconds / 5), 0, 100_000)),
    faultKinds,
    servers: read.whole('servers', 2, 1, 8),
    offlineTablet: !read.flag('no-offline-tablet'),
    settleSeconds: read.whole('settle', 240, 10, 3600),
    openConcurrency: read.whole('open', 4, 1, 64),
  };
}
