import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '@cimco/contract';
import { createUser } from '../../sync-server/src/auth/users.ts';

/**
 * Set-up for `bench/writes.ts`: tablet users made directly in SQL, each signed in on its own
 * tablet (a device id of its own, as `sync-server/test/support/tablets.ts` does), and the parts
 * and tasks the commands work on.
 */

export interface BenchTablet {
  index: number;
  username: string;
  userId: string;
  siteId: string;
  role: Role;
  deviceId: string;
  token: string;
}

export interface TaskState {
  title: string;
  priority: number;
}

export interface WorkingSet {
  partIds: string[];
  tasks: Map<string, TaskState>;
}

/**
 * `count` technicians (they may run both stock.adjust and task.update), made with the server's own
 * `createUser` (argon2 hash and all), like the demo yard's `tech` accounts.
 */
export async function createTabletUsers(
  pool: pg.Pool,
  siteId: string,
  count: number,
): Promise<{ username: string; password: string }[]> {
  const users = Array.from({ length: count }, (_, i) => ({
    username: `bench-tech-${String(i + 1).padStart(3, '0')}`,
    password: randomBytes(12).toString('base64url'),
  }));
  // argon2 runs on libuv's thread pool: a few at a time.
  for (let i = 0; i < users.length; i += 8) {
    await Promise.all(
      users.slice(i, i + 8).map((u, j) =>
        createUser(pool, { siteId, username: u.username, displayName: `Bench tech ${i + j + 1}`, role: 'technician', password: u.password }),
      ),
    );
  }
  return users;
}

/**
 * Signs each user in on a tablet of its own. Each sign-in comes "from" its own address
 * (X-Forwarded-For, which the bench's server trusts from loopback: TRUST_PROXY, lib/environment.ts): the per-address sign-in limit
 * (50 per quarter hour) would otherwise stop a 51st tablet — as it would not in a real yard,
 * where each tablet has its own address.
 */
export async function signInTablets(
  serverUrl: string,
  users: { username: string; password: string }[],
  /** Sign in again on these tablets (their device ids, by index) instead of new ones. */
  again?: BenchTablet[],
): Promise<BenchTablet[]> {
  const tablets: BenchTablet[] = [];
  for (let i = 0; i < users.length; i += 10) {
    tablets.push(
      ...(await Promise.all(
        users.slice(i, i + 10).map(async (u, j) => {
          const index = i + j;
          const deviceId = again?.[index]?.deviceId ?? uuidv7();
          const res = await fetch(`${serverUrl}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.77.${index >> 8}.${index & 255}` },
            body: JSON.stringify({ username: u.username, password: u.password, device: { id: deviceId, name: `${u.username}'s tablet` } }),
          });
          if (!res.ok) throw new Error(`sign-in of ${u.username} failed: HTTP ${res.status} ${await res.text()}`);
          const session = (await res.json()) as { accessToken: string; user: { id: string; siteId: string; role: Role } };
          return {
            index,
            username: u.username,
            userId: session.user.id,
            siteId: session.user.siteId,
            role: session.user.role,
            deviceId,
            token: session.accessToken,
          };
        }),
      )),
    );
  }
  return tablets;
}

/**
 * `size` parts of the generated yard (spread over it) with plenty of stock — a `received`
 * movement of 100,000 each, through the ledger, so `used` movements never go below zero — and
 * `size` open tasks, inserted directly.
 */
export async function prepareWorkingSet(pool: pg.Pool, siteId: string, authorId: string, size: number): Promise<WorkingSet> {
  const { rows: parts } = await pool.query<{ id: string }>(
    `select id from parts where site_id = $1 and deleted_at is null order by md5(id::text) limit $2`,
    [siteId, size],
  );
  if (parts.length < size) throw new Error(`only ${parts.length} live parts for a working set of ${size}: use more --parts`);
  const partIds = parts.map((p) => p.id);
  await pool.query(
    `insert into stock_movements (id, site_id, part_id, delta, reason, author_id)
     select m, $2, p, 100000, 'received', $4 from unnest($1::uuid[], $3::uuid[]) as t(m, p)`,
    [partIds.map(() => uuidv7()), siteId, partIds, authorId],
  );

  const tasks = new Map<string, TaskState>();
  for (let i = 0; i < size; i++) tasks.set(uuidv7(), { title: `Bench task ${i + 1}: check the conveyor belt tension`, priority: 1 + (i % 4) });
  const ids = [...tasks.keys()];
  await pool.query(
    `insert into tasks (id, site_id, title, priority, category, status, created_by, updated_by)
     select id, $2, title, priority, 'conveyor', 'open', $5, $5
       from unnest($1::uuid[], $3::text[], $4::int[]) as t(id, title, priority)`,
    [ids, siteId, ids.map((id) => tasks.get(id)!.title), ids.map((id) => tasks.get(id)!.priority), authorId],
  );
  return { partIds, tasks };
}

/** PostgreSQL settings that shape write throughput, for the report. */
export async function postgresSettings(pool: pg.Pool): Promise<Record<string, string>> {
  const names = ['server_version', 'max_connections', 'shared_buffers', 'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'max_wal_size'];
  const { rows } = await pool.query<{ name: string; setting: string }>(
    `select name, current_setting(name) as setting from unnest($1::text[]) as name`,
    [names],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

/** Other benchmark processes that would distort the figures (`bench/shapes.ts`), by pid. */
export function otherBenchmarks(pattern = 'bench/shapes.ts'): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Waits (reporting once a minute) until no other benchmark runs; returns the seconds waited. */
export async function waitForOtherBenchmarks(report: (message: string) => void): Promise<number> {
  const started = performance.now();
  let lastReport = -Infinity;
  for (;;) {
    const pids = otherBenchmarks();
    if (pids.length === 0) return (performance.now() - started) / 1000;
    if (performance.now() - lastReport > 60_000) {
      report(`waiting: another benchmark runs (bench/shapes.ts, pid ${pids.join(', ')})`);
      lastReport = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
