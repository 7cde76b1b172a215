import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Environment } from '../bench/lib/environment.ts';
import { waitForFeedPublished } from '../bench/lib/environment.ts';
import { createRandom } from '../sync-server/src/seed/random.ts';
import { sleep } from '../sync-server/test/support/shapes.ts';
import {
  checkConvergence,
  checkDuplicatedPosts,
  checkExactlyOnce,
  checkLedger,
  checkRefusalsVisible,
  checkServerErrors,
  type CheckResult,
  type CommandOutcomes,
} from './checks.ts';
import { Cluster } from './cluster.ts';
import { FaultInjector, planFaults, type FaultTally, type PlannedFault } from './faults.ts';
import { openChaosTablet, type ChaosTablet } from './fleet.ts';
import type { ChaosOptions } from './options.ts';
import { Worker } from './workload.ts';

/**
 * One chaos run, start to end: the cluster (PostgreSQL, servers, proxy), the tablets, the workload
 * with the fault plan running beside it, then everything healed, the tablets left to settle, and
 * the checks. Everything it starts is registered with `env`, whose clean-up stops it whatever
 * happened (the CLI runs it on exit and on Ctrl+C; the test in `finally`).
 */
export interface ChaosReport {
  options: ChaosOptions;
  tablets: { total: number; byRole: Map<string, number>; offline: string | undefined };
  commands: { recorded: number; byName: Map<string, number>; notRecorded: number; outcomes: CommandOutcomes };
  faults: FaultTally & { planned: number };
  proxy: { requests: number; statuses: Map<number | 'reset', number>; duplicatedPosts: number };
  servers: { restarts: number; unexpectedExits: number; syncRestarts: number };
  seconds: { setup: number; workload: number; settle: number; checks: number; total: number };
  settled: CheckResult;
  checks: CheckResult[];
}

/**
 * What the browser's worker does with an unhandled rejection that has a value (client/src/db/
 * worker.ts): pglite-sync failed where nobody could catch it, so the leader restarts the sync from
 * what was committed. Here one process hosts every tablet and the rejection does not say whose
 * sync it was, so every tablet restarts its sync (a catch-up each). The CLI routes its unhandled
 * rejections here.
 */
let brokenSyncHandler: ((reason: unknown) => void) | undefined;
let syncRestarts = 0;

export function restartBrokenSyncs(reason: unknown): boolean {
  if (!brokenSyncHandler) return false;
  brokenSyncHandler(reason);
  return true;
}

/** Commands recorded in a round between two progress lines. */
const PROGRESS_EVERY_MS = 10_000;

export async function runChaos(options: ChaosOptions, env: Environment, say: (line: string) => void = console.log): Promise<ChaosReport> {
  const started = performance.now();
  const cluster = new Cluster(env, { servers: options.servers, liveTimeoutMs: 10_000 });
  await cluster.start();
  say(`chaos: PostgreSQL and ${options.servers} server(s) up behind ${cluster.url}; opening ${options.tablets} tablets`);

  const tablets = await openTablets(cluster.url, options, env);
  brokenSyncHandler = (reason) => {
    syncRestarts++;
    for (const tablet of tablets) tablet.tablet.leader.restartSync(reason);
  };
  const offline = options.offlineTablet && tablets.length >= 2 ? tablets.at(-1)! : undefined;
  // Cut off right after its first sync; it keeps working, and comes back only when all is healed.
  if (offline) offline.network.offline = true;
  const setupDone = performance.now();

  const online = tablets.filter((t) => t !== offline).map((t) => t.index);
  const windowMs = options.durationSeconds * 1000;
  const plan = planFaults(createRandom(options.seed ^ 0x5eed), options.faultKinds, options.faults, windowMs, online);
  const injector = new FaultInjector(cluster, tablets, say);
  say(`chaos: workload of ${options.commands} commands over ~${options.durationSeconds} s with ${plan.length} faults (${summarisePlan(plan)})`);
  injector.start(plan);
  await runWorkload(tablets, options, () => progressLine(tablets, injector, cluster), say);
  const workloadDone = performance.now();

  say('chaos: workload done; healing every fault');
  await injector.finished();
  try {
    await cluster.healAll();
  } catch (error) {
    const failures = injector.tally.failures.join('; ') || 'none';
    throw new Error(`could not heal the cluster: ${(error as Error).message} (faults not as planned: ${failures})`, { cause: error });
  }
  cluster.proxy.duplicatePosts = false;
  for (const tablet of tablets) {
    tablet.network.offline = false;
    tablet.network.unreachable = false;
    tablet.tablet.leader.wake();
  }
  const settled = await settle(cluster, tablets, options.settleSeconds * 1000, say);
  const settleDone = performance.now();

  say('chaos: checking');
  const exactlyOnce = await checkExactlyOnce(cluster.pool, tablets);
  const checks = [
    settled,
    exactlyOnce.check,
    checkDuplicatedPosts(cluster.proxy.duplicatedPosts, cluster.databaseDown),
    checkServerErrors(cluster.proxy.serverErrors, cluster.databaseDown),
    await checkConvergence(cluster.pool, tablets),
    await checkLedger(cluster.pool),
    await checkRefusalsVisible(cluster.pool, tablets),
  ];
  const done = performance.now();

  const byName = new Map<string, number>();
  for (const command of tablets.flatMap((t) => t.recorded)) byName.set(command.name, (byName.get(command.name) ?? 0) + 1);
  const byRole = new Map<string, number>();
  for (const tablet of tablets) byRole.set(tablet.role, (byRole.get(tablet.role) ?? 0) + 1);
  return {
    options,
    tablets: { total: tablets.length, byRole, offline: offline?.name },
    commands: {
      recorded: tablets.reduce((sum, t) => sum + t.recorded.length, 0),
      byName,
      notRecorded: tablets.reduce((sum, t) => sum + t.notRecorded, 0),
      outcomes: exactlyOnce.outcomes,
    },
    faults: { ...injector.tally, planned: plan.length },
    proxy: { requests: cluster.proxy.requests, statuses: cluster.proxy.statusCounts, duplicatedPosts: cluster.proxy.duplicatedPosts.length },
    servers: { restarts: cluster.serverRestarts, unexpectedExits: cluster.unexpectedServerExits, syncRestarts },
    seconds: {
      setup: (setupDone - started) / 1000,
      workload: (workloadDone - setupDone) / 1000,
      settle: (settleDone - workloadDone) / 1000,
      checks: (done - settleDone) / 1000,
      total: (done - started) / 1000,
    },
    settled,
    checks,
  };
}

async function openTablets(url: string, options: ChaosOptions, env: Environment): Promise<ChaosTablet[]> {
  const tablets: ChaosTablet[] = [];
  const dataDirs = await fs.mkdtemp(path.join(os.tmpdir(), 'cimco-chaos-tablets-'));
  env.onCleanUp('close the tablets', async () => {
    // A tablet's leader may wait on a request that never ends (a silent link): do not wait forever.
    await Promise.all(tablets.map((t) => Promise.race([t.tablet.close().catch(() => {}), sleep(5_000)])));
    await fs.rm(dataDirs, { recursive: true, force: true });
  });
  let next = 0;
  const opener = async () => {
    while (next < options.tablets) {
      const index = next++;
      tablets[index] = await openChaosTablet(url, index, path.join(dataDirs, `tablet-${index}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.openConcurrency, options.tablets) }, opener));
  return tablets;
}

/**
 * Every tablet works at once, each at its own seeded pace, until the run's commands are recorded:
 * the pace spreads them over the duration (a tablet slower than its pace just takes longer).
 */
async function runWorkload(tablets: readonly ChaosTablet[], options: ChaosOptions, progress: () => Promise<string>, say: (line: string) => void): Promise<void> {
  let issued = 0;
  const meanPauseMs = (options.durationSeconds * 1000 * tablets.length) / options.commands;
  const ticker = setInterval(() => void progress().then((line) => say(`chaos: ${line}`), () => {}), PROGRESS_EVERY_MS);
  try {
    await Promise.all(
      tablets.map(async (tablet) => {
        const random = createRandom(options.seed * 7_919 + tablet.index);
        const worker = new Worker(tablet, random);
        await sleep(random.decimal(0, Math.min(meanPauseMs, 2_000), 0));
        while (issued < options.commands) {
          issued++;
          await worker.next();
          await sleep(random.decimal(0.2, 1.8, 0) * meanPauseMs);
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
}

/**
 * What the run has done so far, and how far behind the tablets' syncs are: the feed head beside
 * the lowest and the middle position the tablets have committed (a sync that keeps up stays near
 * the head; one that never commits stays where it started).
 */
async function progressLine(tablets: readonly ChaosTablet[], injector: FaultInjector, cluster: Cluster): Promise<string> {
  const recorded = tablets.reduce((sum, t) => sum + t.recorded.length, 0);
  const faults = [...injector.tally.injected.values()].reduce((a, b) => a + b, 0);
  const line = `${recorded} commands recorded, ${faults} faults injected, ${cluster.liveServers} server(s) up, ${cluster.proxy.requests} requests`;
  try {
    const lsns = (await Promise.all(tablets.map((tablet) => tablet.committedLsn()))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `${line}; feed head ${await feedHead(cluster)}, tablets at lsn ≥ ${lsns[0]} (median ${lsns[lsns.length >> 1]})`;
  } catch {
    return line; // PostgreSQL is down (a fault): the counts alone
  }
}

/** The newest position of the server's feed. */
async function feedHead(cluster: Cluster): Promise<bigint> {
  const { rows } = await cluster.pool.query<{ head: string }>('select last_tx_offset::text as head from shape_feed_state');
  return BigInt(rows[0]!.head);
}

/**
 * Waits until every outbox is empty (each command answered and its result synced back) and every
 * tablet has committed the feed's head; reported as a check, naming the tablets that did not.
 */
async function settle(cluster: Cluster, tablets: readonly ChaosTablet[], timeoutMs: number, say: (line: string) => void): Promise<CheckResult> {
  const name = 'everything settled: outboxes empty, every tablet at the feed head';
  const deadline = Date.now() + timeoutMs;
  const behind = async (head: bigint | undefined) => {
    const late: string[] = [];
    for (const tablet of tablets) {
      const queued = await tablet.outboxSize();
      const lsn = await tablet.committedLsn();
      if (queued > 0 || (head !== undefined && lsn < head)) {
        const { rows } = await tablet.pg.query<{ last_error: string | null }>('select last_error from sync_state');
        const error = rows[0]?.last_error ? `; sync says: ${rows[0].last_error.slice(0, 200)}` : '';
        late.push(`${tablet.name}: ${queued} in the outbox, at lsn ${lsn}${head !== undefined ? ` of ${head}` : ''}${error}`);
      }
    }
    return late;
  };
  let lastSaid = 0;
  for (;;) {
    let late = await behind(undefined);
    let head: bigint | undefined;
    if (late.length === 0) {
      await waitForFeedPublished(cluster.pool, Math.max(1_000, deadline - Date.now()));
      head = await feedHead(cluster);
      late = await behind(head);
      if (late.length === 0) {
        return { name, ok: true, summary: `all ${tablets.length} tablets settled at lsn ${head}`, problems: [] };
      }
    }
    if (Date.now() > deadline) {
      return { name, ok: false, summary: `${late.length} of ${tablets.length} tablets had not settled after ${timeoutMs / 1000} s`, problems: late.slice(0, 10) };
    }
    if (Date.now() - lastSaid > PROGRESS_EVERY_MS) {
      lastSaid = Date.now();
      say(`chaos: settling, ${late.length} tablets still behind (${late[0]})`);
    }
    await sleep(250);
  }
}

function summarisePlan(plan: readonly PlannedFault[]): string {
  const counts = new Map<string, number>();
  for (const fault of plan) counts.set(fault.kind, (counts.get(fault.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ×${n}`).join(', ');
}
