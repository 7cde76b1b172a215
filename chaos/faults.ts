import { createAccessTokens } from '../sync-server/src/auth/access-tokens.ts';
import type { Random } from '../sync-server/src/seed/random.ts';
import { compactFeed } from '../sync-server/src/shapes/publisher.ts';
import { sleep } from '../sync-server/test/support/shapes.ts';
import type { Cluster } from './cluster.ts';
import type { ChaosTablet } from './fleet.ts';

/**
 * The faults a chaos run injects, at moments drawn from the seed, each healed after a drawn while:
 *
 * - `network-cut`: one tablet's network goes down — requests fail, those in flight are cut (an
 *   upload may have been applied with its answer lost);
 * - `silent-link`: one tablet's link answers nothing and fails nothing (Wi-Fi up, no route): its
 *   requests hang until the link is back;
 * - `slow-answers`: every answer to one tablet is delayed by up to 1.5 s;
 * - `duplicate-posts`: the proxy delivers every command upload twice at once (to both servers when
 *   two are up) — the mutation-id lock's case;
 * - `server-kill`: `kill -9` of one server process (with two, the other keeps serving behind the
 *   same address), restarted after a while;
 * - `all-servers-kill`: `kill -9` of every server at once: nothing answers until they are back;
 * - `postgres-kill`: `kill -9` of PostgreSQL (postmaster and backends), restarted with crash
 *   recovery while the servers keep running;
 * - `token-expiry`: one tablet's access token is swapped for one the server sees as expired, while
 *   its link is held so commands queue: the upload that follows meets 401 and must renew;
 * - `handle-rotation`: one tablet is cut off while the others write, the feed is compacted, and the
 *   tablet comes back behind the compacted position: 409 must-refetch in the middle of its sync.
 *
 * Plus, arranged by the harness: one tablet offline from its first sync to the end of the run.
 */
export const FAULT_KINDS = [
  'network-cut',
  'silent-link',
  'slow-answers',
  'duplicate-posts',
  'server-kill',
  'all-servers-kill',
  'postgres-kill',
  'token-expiry',
  'handle-rotation',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that cost no process restart: for the short run in the test suite. */
export const CHEAP_FAULTS: readonly FaultKind[] = ['network-cut', 'silent-link', 'slow-answers', 'duplicate-posts', 'token-expiry', 'handle-rotation'];

/** How often each kind is drawn once every kind has had its turn; process kills are rarer (each costs seconds of start-up). */
const WEIGHT: Record<FaultKind, number> = {
  'network-cut': 8,
  'silent-link': 4,
  'slow-answers': 4,
  'duplicate-posts': 5,
  'server-kill': 2,
  'all-servers-kill': 1,
  'postgres-kill': 1,
  'token-expiry': 2,
  'handle-rotation': 1,
};

/** Faults that act on one tablet. */
const PER_TABLET: ReadonlySet<FaultKind> = new Set(['network-cut', 'silent-link', 'slow-answers', 'token-expiry', 'handle-rotation']);

export interface PlannedFault {
  /** When it starts, from the start of the workload. */
  atMs: number;
  kind: FaultKind;
  /** How long it lasts before it is healed. */
  lastsMs: number;
  /** The tablet it hits (per-tablet faults). */
  tablet: number | undefined;
  /** How long each answer is held back (slow-answers). */
  delayMs: number;
}

/**
 * A fault plan from the seed: every kind in `kinds` at least once, then more drawn by weight up to
 * `count`, at moments spread over the first 85 % of the workload (each healed before it ends).
 */
export function planFaults(random: Random, kinds: readonly FaultKind[], count: number, windowMs: number, tablets: readonly number[]): PlannedFault[] {
  const drawn: FaultKind[] = [...kinds];
  while (drawn.length < count) drawn.push(random.weighted(kinds.map((kind) => [kind, WEIGHT[kind]] as const)));
  return drawn
    .map((kind) => {
      const atMs = Math.round(random.decimal(0.05, 0.85, 3) * windowMs);
      const lastsMs = Math.min(random.int(kind.endsWith('kill') ? 500 : 1_000, 6_000), windowMs - atMs);
      return {
        atMs,
        kind,
        lastsMs: Math.max(lastsMs, 200),
        tablet: PER_TABLET.has(kind) && tablets.length ? random.pick(tablets) : undefined,
        delayMs: random.int(300, 1_500),
      };
    })
    .sort((a, b) => a.atMs - b.atMs);
}

export interface FaultTally {
  injected: Map<FaultKind, number>;
  /** Faults that could not be injected or healed as planned, with the reason. */
  failures: string[];
}

/** Runs a plan against the cluster and the tablets; `finished()` resolves once every fault is healed. */
export class FaultInjector {
  readonly tally: FaultTally = { injected: new Map(), failures: [] };
  #running: Promise<void>[] = [];
  #timers: NodeJS.Timeout[] = [];
  #duplicating = 0;
  /**
   * Process kills one after another per resource: two faults restarting the same server slot, or
   * PostgreSQL, at once would race. A kill due while another is healing waits for it.
   */
  #queues = new Map<'servers' | 'postgres', Promise<void>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly tablets: readonly ChaosTablet[],
    /** Told when a process-level fault starts and heals (they are the slow ones to watch). */
    private readonly say: (line: string) => void = () => {},
  ) {}

  start(plan: readonly PlannedFault[]): void {
    for (const fault of plan) {
      this.#timers.push(
        setTimeout(() => {
          this.#running.push(
            this.#inject(fault).catch((error: unknown) => {
              this.tally.failures.push(`${fault.kind} at ${fault.atMs} ms: ${(error as Error).message}`);
            }),
          );
        }, fault.atMs),
      );
    }
  }

  /** Cancels the faults not yet started and waits for the running ones to heal. */
  async finished(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    await Promise.all(this.#running);
  }

  async #inject(fault: PlannedFault): Promise<void> {
    this.tally.injected.set(fault.kind, (this.tally.injected.get(fault.kind) ?? 0) + 1);
    if (!fault.kind.endsWith('kill')) return this.#injectOne(fault);
    const started = Date.now();
    this.say(`chaos: ${fault.kind} (back after ${fault.lastsMs} ms)`);
    await this.#injectOne(fault);
    this.say(`chaos: ${fault.kind} healed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  async #injectOne(fault: PlannedFault): Promise<void> {
    const tablet = fault.tablet === undefined ? undefined : this.tablets[fault.tablet]!;
    switch (fault.kind) {
      case 'network-cut':
        tablet!.network.offline = true;
        await sleep(fault.lastsMs);
        tablet!.network.offline = false;
        return;
      case 'silent-link':
        tablet!.network.unreachable = true;
        await sleep(fault.lastsMs);
        tablet!.network.unreachable = false;
        return;
      case 'slow-answers': {
        const fast = tablet!.network.slow(() => true, fault.delayMs);
        await sleep(fault.lastsMs);
        fast();
        return;
      }
      case 'duplicate-posts':
        this.#duplicating++;
        this.cluster.proxy.duplicatePosts = true;
        await sleep(fault.lastsMs);
        if (--this.#duplicating === 0) this.cluster.proxy.duplicatePosts = false;
        return;
      case 'server-kill':
        return this.#oneAtATime('servers', async () => {
          const slot = fault.atMs % this.cluster.serverSlots;
          await this.cluster.killServer(slot);
          await sleep(fault.lastsMs);
          await this.cluster.restartServer(slot);
        });
      case 'all-servers-kill':
        return this.#oneAtATime('servers', async () => {
          for (let slot = 0; slot < this.cluster.serverSlots; slot++) await this.cluster.killServer(slot);
          await sleep(fault.lastsMs);
          for (let slot = 0; slot < this.cluster.serverSlots; slot++) await this.cluster.restartServer(slot);
        });
      case 'postgres-kill':
        return this.#oneAtATime('postgres', async () => {
          this.cluster.killPostgres();
          await sleep(fault.lastsMs);
          await this.cluster.restartPostgres();
        });
      case 'token-expiry':
        return this.#expireToken(tablet!, fault.lastsMs);
      case 'handle-rotation':
        return this.#rotateHandles(tablet!, fault.lastsMs);
    }
  }

  #oneAtATime(resource: 'servers' | 'postgres', run: () => Promise<void>): Promise<void> {
    const next = (this.#queues.get(resource) ?? Promise.resolve()).then(run);
    this.#queues.set(resource, next.catch(() => {}));
    return next;
  }

  /**
   * The server cannot be told to issue short-lived tokens (the TTL is fixed at 15 minutes in
   * access-tokens.ts, no setting), so the harness signs, with the servers' shared secret, a token
   * for the same person and tablet that expired ten minutes ago, and puts it in the tablet's
   * session as if it were current. Its link is held meanwhile so commands queue up behind it.
   */
  async #expireToken(tablet: ChaosTablet, lastsMs: number): Promise<void> {
    const { token } = await createAccessTokens(this.cluster.jwtSecret, -600).sign({
      userId: tablet.userId,
      siteId: tablet.siteId,
      role: tablet.role,
      username: tablet.username,
      deviceId: tablet.deviceId,
    });
    tablet.network.unreachable = true;
    try {
      await tablet.pg.query('update session set access_token = $1', [token]);
      await sleep(lastsMs);
    } finally {
      tablet.network.unreachable = false;
    }
  }

  /**
   * Compaction is how a running server retires old feed positions (FEED_RETENTION_DAYS; SPEC.md
   * F9): a tablet asking from below the compacted position gets 409 and re-fetches its shapes. A
   * TRUNCATE would also make 409s, but destroys rows the other tablets and the checks need.
   */
  async #rotateHandles(tablet: ChaosTablet, lastsMs: number): Promise<void> {
    tablet.network.offline = true;
    try {
      await sleep(lastsMs / 2);
      for (const deadline = Date.now() + 30_000; ; ) {
        try {
          // Everything published more than a second ago: the cut-off tablet is surely behind it.
          await compactFeed(this.cluster.pool, '1 second');
          break;
        } catch (error) {
          // PostgreSQL may be down at this moment (another fault): try again when it is back.
          if (Date.now() > deadline) throw error;
          await sleep(250);
        }
      }
      await sleep(lastsMs / 2);
    } finally {
      tablet.network.offline = false;
    }
  }
}
