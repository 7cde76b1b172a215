/**
 * Helpers for the write-path tests (test/commands/*): tablets that sign in with a device id and
 * post command batches to `POST /api/mutations`, a check that every result they received is also
 * in `mutation_results` (and, when applied, in `audit_log` exactly once), a fingerprint of the
 * database to prove a refused command wrote nothing, and rows made directly in SQL for commands to
 * act on — in the demo yard or in a second yard.
 *
 * Nothing here uses the command processor's code: expectations are plain SQL, so a bug in the
 * processor cannot hide in its own yardstick.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import type { CommandInput, CommandName, EquipmentStatus, MutationResult, OrderStatus, Role, TaskStatus } from '@cimco/contract';
import { login, readJson } from './server.ts';

// ---------------------------------------------------------------------------------------------
// Tablets
// ---------------------------------------------------------------------------------------------

export interface SentCommand {
  mutationId: string;
  name: CommandName;
  args: unknown;
  clientTime: string;
}

/** One command a tablet sent and the result it got back. */
export interface Exchange {
  tablet: Tablet;
  sent: SentCommand;
  result: MutationResult;
}

export interface Tablet {
  username: string;
  userId: string;
  siteId: string;
  role: Role;
  deviceId: string;
  token: string;
  /** Posts one batch; expects HTTP 200 and returns the per-command results, in order. */
  send(commands: { name: CommandName; args: unknown; mutationId?: string; clientTime?: string }[]): Promise<MutationResult[]>;
  /** Sends one command, type-checked against the contract. */
  run<N extends CommandName>(name: N, args: CommandInput<N>, options?: { mutationId?: string; clientTime?: string }): Promise<MutationResult>;
  /** The raw request, for status codes other than 200. */
  post(body: unknown): Promise<Response>;
}

// Every exchange of this test file's tablets (vitest runs each file in its own process).
const exchanges: Exchange[] = [];

/** Signs `username` in on a new tablet (a fresh device id) and returns it. */
export async function connectTablet(serverUrl: string, username: string, { password = 'demo' } = {}): Promise<Tablet> {
  const deviceId = uuidv7();
  const res = await login(serverUrl, username, password, { id: deviceId, name: `${username}'s tablet` });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const session = await readJson(res);
  const token = session.accessToken as string;
  const tablet: Tablet = {
    username,
    userId: session.user.id,
    siteId: session.user.siteId,
    role: session.user.role,
    deviceId,
    token,
    post: (body) => postMutations(serverUrl, token, body),
    async send(commands) {
      const sent: SentCommand[] = commands.map((c) => ({
        mutationId: c.mutationId ?? uuidv7(),
        name: c.name,
        args: c.args,
        clientTime: c.clientTime ?? new Date().toISOString(),
      }));
      const res = await tablet.post({ deviceId, commands: sent });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
      const results = (await readJson(res)).results as MutationResult[];
      expect(results.map((r) => r.mutationId)).toEqual(sent.map((s) => s.mutationId));
      results.forEach((result, i) => exchanges.push({ tablet, sent: sent[i]!, result }));
      return results;
    },
    async run(name, args, options = {}) {
      const [result] = await tablet.send([{ name, args, ...options }]);
      return result!;
    },
  };
  return tablet;
}

/** Several tablets at once, one per username, typed as a tuple so they can be destructured. */
export async function connectTablets<const U extends readonly string[]>(serverUrl: string, usernames: U): Promise<{ -readonly [K in keyof U]: Tablet }> {
  return (await Promise.all(usernames.map((username) => connectTablet(serverUrl, username)))) as { -readonly [K in keyof U]: Tablet };
}

export function postMutations(serverUrl: string, token: string, body: unknown): Promise<Response> {
  return fetch(`${serverUrl}/api/mutations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

/**
 * Every result the tablets received since the last call is in `mutation_results` with the same
 * status, code and message, under the tablet and user that sent it; every applied command (status
 * applied or conflict) has exactly one `audit_log` row with user, device, command, entity,
 * before/after and client and server time; a refused one has none.
 */
export async function expectEveryResultRecorded(pool: pg.Pool): Promise<number> {
  const checked = exchanges.splice(0);
  for (const { tablet, sent, result } of checked) {
    const what = `${sent.name} ${sent.mutationId} (${result.status} ${result.code ?? ''})`;
    const stored = await one<{ device_id: string; user_id: string; command: string; status: string; code: string | null; message: string | null; entity_id: string | null }>(
      pool,
      'select device_id, user_id, command, status, code, message, entity_id from mutation_results where id = $1',
      [sent.mutationId],
    );
    expect(stored, `${what}: no mutation_results row`).toBeDefined();
    if (result.code === 'duplicate_mutation_id') {
      // The id belongs to another tablet's command: its row stays as it was.
      expect(stored.device_id, what).not.toBe(tablet.deviceId);
      continue;
    }
    expect(stored, what).toMatchObject({
      device_id: tablet.deviceId,
      user_id: tablet.userId,
      command: sent.name,
      status: result.status,
      code: result.code ?? null,
      message: result.message ?? null,
    });
    const audits = (
      await pool.query<{ user_id: string; device_id: string; command: string; entity: string | null; entity_id: string | null; before: unknown; after: unknown; client_time: Date | null; server_time: Date | null }>(
        'select user_id, device_id, command, entity, entity_id, before, after, client_time, server_time from audit_log where mutation_id = $1',
        [sent.mutationId],
      )
    ).rows;
    if (result.status === 'rejected') {
      expect(audits, `${what}: a refused command is not audited`).toEqual([]);
      continue;
    }
    expect(audits, `${what}: exactly one audit row`).toHaveLength(1);
    const audit = audits[0]!;
    expect(audit, what).toMatchObject({ user_id: tablet.userId, device_id: tablet.deviceId, command: sent.name, entity_id: stored.entity_id });
    expect(audit.entity, what).toEqual(expect.any(String));
    expect(audit.after, `${what}: audit after`).not.toBeNull();
    expect(audit.client_time?.toISOString(), `${what}: audit client time`).toBe(new Date(sent.clientTime).toISOString());
    expect(audit.server_time, `${what}: audit server time`).toBeInstanceOf(Date);
  }
  return checked.length;
}

// ---------------------------------------------------------------------------------------------
// Reading the database
// ---------------------------------------------------------------------------------------------

export async function one<T = Record<string, unknown>>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T> {
  return (await pool.query(sql, params)).rows[0] as T;
}

/** Every table a command could write (the shape feed's own tables aside). */
export const WRITABLE_TABLES = [
  'sites', 'users', 'devices', 'refresh_tokens', 'equipment', 'equipment_status_changes', 'tasks', 'task_templates', 'pm_schedules', 'logs', 'parts', 'stock_movements',
  'incoming_orders', 'knowledge', 'knowledge_votes', 'conflicts', 'audit_log', 'mutation_results',
] as const;
export type WritableTable = (typeof WRITABLE_TABLES)[number];

/** A digest of each table's whole content: any insert, update or delete changes it. */
export async function fingerprint(pool: pg.Pool): Promise<Record<WritableTable, string>> {
  const select = WRITABLE_TABLES.map(
    (t) => `(select count(*) || ':' || md5(coalesce(string_agg(r::text, '|' order by r.id), '')) from ${t} r) as ${t}`,
  ).join(', ');
  return one(pool, `select ${select}`);
}

/** What changed between two fingerprints: the tables whose content differs. */
export function changedTables(before: Record<WritableTable, string>, after: Record<WritableTable, string>): WritableTable[] {
  return WRITABLE_TABLES.filter((t) => before[t] !== after[t]);
}

// ---------------------------------------------------------------------------------------------
// Rows made directly in SQL
// ---------------------------------------------------------------------------------------------

const unique = () => randomBytes(4).toString('hex').toUpperCase();

export interface PartRow { id: string; partNumber: string; name: string; location: string | null; quantity: number }
export interface EquipmentRow { id: string; tag: string; name: string }
export interface TaskRow { id: string; title: string; equipmentId: string | null }
export interface OrderRow { id: string; partId: string; orderNumber: string }

/**
 * Rows of one yard, inserted directly (bypassing the commands under test), each with fresh ids,
 * part numbers and tags so tests never share a row by accident.
 */
export interface Yard {
  siteId: string;
  /** A user of this yard (the author of the rows made here). */
  userId: string;
  part(options?: { quantity?: number; location?: string | null; deleted?: boolean }): Promise<PartRow>;
  equipment(options?: { status?: EquipmentStatus }): Promise<EquipmentRow>;
  task(options?: { status?: TaskStatus; equipmentId?: string | null }): Promise<TaskRow>;
  order(options?: { partId?: string; quantityOrdered?: number; quantityReceived?: number; status?: OrderStatus }): Promise<OrderRow>;
  knowledge(): Promise<{ id: string }>;
  user(options?: { role?: Role }): Promise<{ id: string; username: string }>;
  device(userId?: string): Promise<{ id: string }>;
  /** An open conflict about a part (by default a refused edit). */
  conflict(options?: { partId?: string }): Promise<{ id: string }>;
}

export function yardRows(pool: pg.Pool, siteId: string, userId: string): Yard {
  const yard: Yard = {
    siteId,
    userId,
    async part({ quantity = 0, location = 'A-01', deleted = false } = {}) {
      const row = { id: uuidv7(), partNumber: `T-${unique()}`, name: `Test part ${unique()}`, location, quantity };
      await pool.query(
        `insert into parts (id, site_id, part_number, name, location, updated_by, deleted_at)
         values ($1, $2, $3, $4, $5, $6, case when $7 then now() end)`,
        [row.id, siteId, row.partNumber, row.name, location, userId, deleted],
      );
      // Stock only moves through the ledger: a count sets the starting quantity.
      await pool.query(
        `insert into stock_movements (id, site_id, part_id, delta, reason, author_id) values ($1, $2, $3, $4, 'count', $5)`,
        [uuidv7(), siteId, row.id, quantity, userId],
      );
      return row;
    },
    async equipment({ status = 'running' } = {}) {
      const row = { id: uuidv7(), tag: `TST${unique()}`, name: `Test machine ${unique()}` };
      await pool.query(
        `insert into equipment (id, site_id, tag, name, type, status, meter, updated_by) values ($1, $2, $3, $4, 'conveyor', $5, 100, $6)`,
        [row.id, siteId, row.tag, row.name, status, userId],
      );
      return row;
    },
    async task({ status = 'open', equipmentId = null } = {}) {
      const row = { id: uuidv7(), title: `Test task ${unique()}`, equipmentId };
      await pool.query(
        `insert into tasks (id, site_id, equipment_id, title, status, completed_at, completed_by, created_by, updated_by)
         values ($1, $2, $3, $4, $5, case when $5 = 'done' then now() end, case when $5 = 'done' then $6::uuid end, $6, $6)`,
        [row.id, siteId, equipmentId, row.title, status, userId],
      );
      return row;
    },
    async order({ partId, quantityOrdered = 5, quantityReceived = 0, status } = {}) {
      const row = { id: uuidv7(), partId: partId ?? (await yard.part()).id, orderNumber: `PO-${unique()}` };
      const derived = status ?? (quantityReceived >= quantityOrdered ? 'received' : quantityReceived > 0 ? 'partial' : 'ordered');
      await pool.query(
        `insert into incoming_orders (id, site_id, part_id, order_number, quantity_ordered, quantity_received, status, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [row.id, siteId, row.partId, row.orderNumber, quantityOrdered, quantityReceived, derived, userId],
      );
      return row;
    },
    async knowledge() {
      const id = uuidv7();
      await pool.query(
        `insert into knowledge (id, site_id, problem, fix_steps, author_id, updated_by) values ($1, $2, $3, 'Tighten it', $4, $4)`,
        [id, siteId, `Test problem ${unique()}`, userId],
      );
      return { id };
    },
    async user({ role = 'technician' } = {}) {
      const row = { id: uuidv7(), username: `user-${unique().toLowerCase()}` };
      await pool.query(
        `insert into users (id, site_id, username, display_name, role, password_hash) values ($1, $2, $3, $4, $5, 'not-a-hash')`,
        [row.id, siteId, row.username, `Test ${row.username}`, role],
      );
      return row;
    },
    async device(owner = userId) {
      const id = uuidv7();
      await pool.query(`insert into devices (id, site_id, user_id, name) values ($1, $2, $3, 'Test tablet')`, [id, siteId, owner]);
      return { id };
    },
    async conflict({ partId } = {}) {
      const id = uuidv7();
      await pool.query(
        `insert into conflicts (id, site_id, kind, entity, entity_id, winning_value, user_id) values ($1, $2, 'refused', 'parts', $3, '{"name": "kept"}', $4)`,
        [id, siteId, partId ?? (await yard.part()).id, userId],
      );
      return { id };
    },
  };
  return yard;
}

/** The demo yard ("sterling"), with its admin as the author of rows made in SQL. */
export async function demoYard(pool: pg.Pool): Promise<Yard> {
  const { site_id, id } = await one<{ site_id: string; id: string }>(pool, `select site_id, id from users where username = 'admin'`);
  return yardRows(pool, site_id, id);
}

/** A second yard with its own user, made directly in SQL: its ids must mean nothing in the demo yard. */
export async function otherYard(pool: pg.Pool, code = `other-${unique().toLowerCase()}`): Promise<Yard> {
  const siteId = uuidv7();
  const userId = uuidv7();
  await pool.query(`insert into sites (id, code, name) values ($1, $2, 'Another yard')`, [siteId, code]);
  await pool.query(
    `insert into users (id, site_id, username, display_name, role, password_hash) values ($1, $2, $3, 'Other admin', 'admin', 'not-a-hash')`,
    [userId, siteId, `admin-${code}`],
  );
  return yardRows(pool, siteId, userId);
}
