import { PGlite } from '@electric-sql/pglite';
import type { CommandInput, CommandName, Role } from '@cimco/contract';
import { ApiRequestError } from '../client/src/api/server-api.ts';
import { openNodeTablet, type NodeTablet } from '../sync-server/test/support/node-tablet.ts';
import { sleep, waitFor } from '../sync-server/test/support/shapes.ts';

/**
 * The tablets of a chaos run: each is the real tablet data layer in Node (local PGlite schema,
 * leader with pglite-sync and the uploader, the outbox), signed in as one of the demo accounts,
 * talking to the proxy through its own switchable Network.
 *
 * Fifty PGlite databases share the harness's one process. Each keeps its files in a directory
 * on disk (in memory, their files and WAL grew the process by about 90 MB each over a long run)
 * and a 16 MB buffer cache instead of PostgreSQL's 128 MB: about 250 MB a tablet instead of 350
 * (measured on 4 databases, 3,000 small transactions each). The long runs reached 22 GB and
 * swapped. Neither setting changes what the tablet does, only where its pages are kept.
 */
const LEAN_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** The demo accounts (password `demo`), taken in turn: every role is on several tablets. */
export const DEMO_ACCOUNTS: readonly { username: string; role: Role }[] = [
  { username: 'tech', role: 'technician' },
  { username: 'storeroom', role: 'storeroom' },
  { username: 'tech2', role: 'technician' },
  { username: 'supervisor', role: 'supervisor' },
  { username: 'admin', role: 'admin' },
];

/** A command the tablet recorded (stored in its outbox): it must be answered exactly once. */
export interface RecordedCommand {
  mutationId: string;
  name: CommandName;
}

export class ChaosTablet {
  readonly recorded: RecordedCommand[] = [];
  /** Commands the tablet itself refused to record (its schema or role check): the workload's mistakes. */
  notRecorded = 0;
  userId = '';
  siteId = '';
  deviceId = '';

  constructor(
    readonly index: number,
    readonly username: string,
    readonly role: Role,
    readonly tablet: NodeTablet,
  ) {}

  get name(): string {
    return `tablet-${this.index} (${this.username})`;
  }

  get pg(): NodeTablet['pg'] {
    return this.tablet.pg;
  }

  get network(): NodeTablet['network'] {
    return this.tablet.network;
  }

  async record<N extends CommandName>(name: N, args: CommandInput<N>): Promise<void> {
    try {
      const mutationId = await this.tablet.record(name, args);
      this.recorded.push({ mutationId, name });
    } catch (error) {
      this.notRecorded++;
      if (this.notRecorded <= 3) console.warn(`${this.name}: ${name} not recorded: ${(error as Error).message.slice(0, 300)}`);
    }
  }

  /** Commands still in the outbox (queued, or sent and waiting for their result to sync back). */
  async outboxSize(): Promise<number> {
    return (await this.pg.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]!.n;
  }

  /** The feed position the tablet has committed locally (pglite-sync stores it with the data). */
  async committedLsn(): Promise<bigint> {
    const { rows } = await this.pg.query<{ lsn: string | null }>('select max(last_lsn)::text as lsn from electric.subscriptions_metadata');
    return rows[0]?.lsn ? BigInt(rows[0].lsn) : -1n;
  }
}

/** Opens a tablet on `serverUrl`, signs it in, and waits for its first copy of the yard. */
export async function openChaosTablet(serverUrl: string, index: number, dataDir: string): Promise<ChaosTablet> {
  const account = DEMO_ACCOUNTS[index % DEMO_ACCOUNTS.length]!;
  const tablet = await openNodeTablet(serverUrl, { dataDir, startParams: LEAN_START_PARAMS });
  const chaos = new ChaosTablet(index, account.username, account.role, tablet);
  try {
    await signInPatiently(chaos);
    await waitFor(`${chaos.name}: the first sync`, async () => {
      const { rows } = await tablet.pg.query<{ done: boolean }>('select initial_sync_done as done from sync_state');
      return rows[0]?.done === true;
    }, { timeoutMs: 180_000, intervalMs: 100 });
    const { rows } = await tablet.pg.query<{ user_id: string; site_id: string; device_id: string }>(
      'select s.user_id::text, s.site_id::text, (select id::text from device) as device_id from session s',
    );
    chaos.userId = rows[0]!.user_id;
    chaos.siteId = rows[0]!.site_id;
    chaos.deviceId = rows[0]!.device_id;
    // Canonical row texts render timestamps in the session's zone: UTC, as on the server's pool.
    await tablet.pg.exec(`set timezone to 'UTC'`);
  } catch (error) {
    await tablet.close().catch(() => {});
    throw error;
  }
  return chaos;
}

/** Signs in, trying again after a failed request (a person taps again): the setup runs on a loaded machine. */
async function signInPatiently(tablet: ChaosTablet): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await tablet.tablet.signIn(tablet.username);
      return;
    } catch (error) {
      if (attempt >= 5 || !(error instanceof ApiRequestError) || error.status !== 0) throw error;
      await sleep(1_000 * attempt);
    }
  }
}
