import { createHash, randomInt } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/database.ts';
import type { ShapeDefinition } from './request.ts';

/**
 * Shape handles, kept in PostgreSQL so they survive restarts and are shared by every server
 * process. Identical definitions share the newest live handle (and so one log and one cached
 * snapshot). A handle is never reused: it is the definition's digest plus a timestamp and a
 * random tail, and a retired handle stays retired (clients remember expired handles).
 */
export interface HandleInfo {
  handle: string;
  definitionKey: string;
  fingerprint: string;
  retired: boolean;
}

export function definitionKey(def: ShapeDefinition): string {
  const canonical = JSON.stringify([def.table, def.columns, def.where, def.params, def.replica, def.log]);
  return createHash('sha256').update(canonical).digest('hex');
}

// Serialises handle creation per definition across processes.
const CREATE_LOCK_NAMESPACE = 7_262_021;

export class ShapeRegistry {
  #cache = new Map<string, { info: HandleInfo; at: number }>();

  constructor(
    private readonly pool: pg.Pool,
    /** How long a looked-up handle is trusted without asking the database again. */
    private readonly cacheMs = 1_000,
  ) {}

  /** The definition's newest live handle for this table schema, created if there is none. */
  async currentHandle(def: ShapeDefinition, fingerprint: string): Promise<string> {
    const key = definitionKey(def);
    return inTransaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [CREATE_LOCK_NAMESPACE, key]);
      const { rows } = await client.query<{ handle: string; schema_fingerprint: string }>(
        `select handle, schema_fingerprint from shape_handles
          where definition_key = $1 and retired_at is null
          order by created_at desc limit 1`,
        [key],
      );
      let handle = rows[0]?.handle;
      if (handle && rows[0]!.schema_fingerprint !== fingerprint) {
        await client.query(
          `update shape_handles set retired_at = now(), retired_reason = 'schema_change' where handle = $1`,
          [handle],
        );
        this.#cache.delete(handle);
        handle = undefined;
      }
      if (!handle) {
        handle = makeHandle(key);
        await client.query(
          `insert into shape_handles (handle, definition_key, definition, relation, schema_fingerprint)
           values ($1, $2, $3, $4, $5)`,
          [handle, key, JSON.stringify(def), def.table, fingerprint],
        );
      }
      return handle;
    });
  }

  async lookup(handle: string): Promise<HandleInfo | undefined> {
    const cached = this.#cache.get(handle);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.info;
    const { rows } = await this.pool.query<{
      definition_key: string;
      schema_fingerprint: string;
      retired: boolean;
    }>(
      `select definition_key, schema_fingerprint, retired_at is not null as retired from shape_handles where handle = $1`,
      [handle],
    );
    if (!rows[0]) return undefined;
    const info = {
      handle,
      definitionKey: rows[0].definition_key,
      fingerprint: rows[0].schema_fingerprint,
      retired: rows[0].retired,
    };
    this.#cache.set(handle, { info, at: Date.now() });
    return info;
  }

  /**
   * A client fell behind compaction and needs a fresh snapshot under a handle it has not seen
   * (clients treat a handle they got a 409 for as expired). The old handle stays live: the other
   * tablets on it are not behind and must not re-download.
   */
  async newHandle(def: ShapeDefinition, fingerprint: string): Promise<string> {
    const key = definitionKey(def);
    const handle = makeHandle(key);
    await this.pool.query(
      `insert into shape_handles (handle, definition_key, definition, relation, schema_fingerprint)
       values ($1, $2, $3, $4, $5)`,
      [handle, key, JSON.stringify(def), def.table, fingerprint],
    );
    return handle;
  }
}

function makeHandle(key: string): string {
  return `${key.slice(0, 16)}-${Date.now()}${String(randomInt(1_000_000)).padStart(6, '0')}`;
}
