import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { hashPassword } from '../auth/passwords.ts';
import { inTransaction } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { DEMO_ACCOUNTS, planDemoYard, writeDemoPlan } from '../seed/demo-yard.ts';

/**
 * Training yards (FEATURES.md §11, "demo / live"): beside each live yard, a yard of made-up data —
 * the demo yard's machines, parts, tasks and history, with its five people — that anyone on a
 * tablet may switch to, practise in and switch back from.
 *
 * - It is an ordinary site (`sites.training_for` names the live yard), so everything that keeps
 *   yards apart keeps it apart: each shape is filtered by the caller's site, and each command may
 *   only touch rows of the caller's site (commands/references.ts). A training session's token
 *   names the training site; nothing it sends can reach a live row.
 * - Made on demand, the first time someone asks for it, so a server started with `DEMO=off` has one
 *   too; an advisory lock per live yard makes two tablets asking at once make it once.
 * - Its accounts can only be entered through the training sign-in (their passwords are random and
 *   never shown) and are named `<demo name>@<training yard's code>`: usernames are unique across
 *   the server, and a training yard must not take a name a live account may want.
 * - A reset retires the training yard (its accounts disabled, their sessions ended: tablets in it
 *   are asked to sign in again) and makes a fresh one. Nothing is deleted: the stock ledger and the
 *   audit log are append-only, and the retired yard's rows are invisible to every live shape.
 */

export interface TrainingYard {
  id: string;
  code: string;
  name: string;
  liveSiteId: string;
}

export class TrainingYardError extends Error {
  constructor(
    readonly code: 'unknown_yard' | 'yard_required',
    message: string,
  ) {
    super(message);
  }
}

/** A username in a training yard: the name, cut to fit, then `@` and the yard's code. */
export function trainingUsername(name: string, yardCode: string): string {
  return `${name.slice(0, 64 - yardCode.length - 1)}@${yardCode}`;
}

/**
 * The live yard a training sign-in is for: the one named, or the only live yard of this server.
 * A training yard's id names its own live yard.
 */
export async function liveYardFor(db: pg.Pool | pg.PoolClient, siteId: string | undefined): Promise<string> {
  if (siteId) {
    const { rows } = await db.query<{ id: string }>('select coalesce(training_for, id) as id from sites where id = $1', [siteId]);
    if (!rows[0]) throw new TrainingYardError('unknown_yard', 'There is no such yard on this server.');
    return rows[0].id;
  }
  const { rows } = await db.query<{ id: string }>('select id from sites where training_for is null order by created_at limit 2');
  if (rows.length === 1) return rows[0]!.id;
  throw new TrainingYardError(
    rows.length === 0 ? 'unknown_yard' : 'yard_required',
    rows.length === 0
      ? 'This server has no yard yet: an administrator must set one up first.'
      : 'This server has several yards: sign in to your yard first, then switch to its training yard.',
  );
}

/** The live yard's current training yard, made now if there is none. */
export async function openTrainingYard(pool: pg.Pool, liveSiteId: string, logger: Logger): Promise<TrainingYard> {
  const existing = await currentTrainingYard(pool, liveSiteId);
  if (existing) return existing;
  const hashes = await unusablePasswordHashes();
  return inTransaction(pool, async (client) => {
    await lockTrainingOf(client, liveSiteId);
    return (await currentTrainingYard(client, liveSiteId)) ?? (await makeTrainingYard(client, liveSiteId, hashes, logger));
  });
}

/**
 * Retires the live yard's training yard, if any, and makes a fresh one: every account of the old
 * one is disabled and its sessions end, in the same transaction.
 */
export async function resetTrainingYard(
  pool: pg.Pool,
  liveSiteId: string,
  by: { userId: string; siteId: string; deviceId?: string | undefined },
  logger: Logger,
): Promise<TrainingYard> {
  const hashes = await unusablePasswordHashes();
  return inTransaction(pool, async (client) => {
    await lockTrainingOf(client, liveSiteId);
    const old = await currentTrainingYard(client, liveSiteId);
    if (old) {
      await client.query('update sites set retired_at = now(), updated_at = now(), version = version + 1 where id = $1', [old.id]);
      await client.query('update users set active = false, updated_at = now(), version = version + 1 where site_id = $1 and active', [old.id]);
      await client.query(
        `update refresh_tokens set revoked_at = now(), revoked_reason = 'admin'
          where revoked_at is null and user_id in (select id from users where site_id = $1)`,
        [old.id],
      );
      logger.info({ liveSiteId, retired: old.code, by: by.userId }, 'training yard retired');
    }
    const fresh = await makeTrainingYard(client, liveSiteId, hashes, logger);
    // In the audit log of the yard the admin works in (live, or the retired training yard).
    await client.query(
      `insert into audit_log (id, site_id, user_id, device_id, command, entity, entity_id, after)
       values ($1, $2, $3, $4, 'training.reset', 'sites', $5, $6)`,
      [uuidv7(), by.siteId, by.userId, by.deviceId ?? null, fresh.id, JSON.stringify({ code: fresh.code, retired: old?.code ?? null })],
    );
    return fresh;
  });
}

/**
 * A tablet that practised in a training yard since reset is registered there: it follows its live
 * yard's training into the fresh one (its history stays with the old yard's rows).
 */
export async function followToFreshYard(pool: pg.Pool, deviceId: string, yard: TrainingYard): Promise<void> {
  await pool.query(
    `update devices set site_id = $2, user_id = null, last_seen_at = now()
      where id = $1 and revoked_at is null
        and site_id in (select id from sites where training_for = $3 and retired_at is not null)`,
    [deviceId, yard.id, yard.liveSiteId],
  );
}

async function currentTrainingYard(db: pg.Pool | pg.PoolClient, liveSiteId: string): Promise<TrainingYard | undefined> {
  const { rows } = await db.query<TrainingYard>(
    `select id, code, name, training_for as "liveSiteId" from sites where training_for = $1 and retired_at is null`,
    [liveSiteId],
  );
  return rows[0];
}

async function makeTrainingYard(client: pg.PoolClient, liveSiteId: string, hashes: ReadonlyMap<string, string>, logger: Logger): Promise<TrainingYard> {
  const { rows } = await client.query<{ name: string; timezone: string }>('select name, timezone from sites where id = $1', [liveSiteId]);
  const live = rows[0];
  if (!live) throw new TrainingYardError('unknown_yard', 'There is no such yard on this server.');
  const id = uuidv7();
  // The random tail of a UUIDv7: unique enough for a code, short enough for the usernames.
  const code = `training-${id.replace(/-/g, '').slice(-10)}`;
  const name = `Training — ${live.name}`.slice(0, 120);
  const plan = planDemoYard(new Date(), hashes, {
    site: { id, code, name, timezone: live.timezone, trainingFor: liveSiteId },
    username: (account) => trainingUsername(account, code),
  });
  const counts = await writeDemoPlan(client, plan);
  logger.info({ liveSiteId, code, counts }, 'training yard made');
  return { id, code, name, liveSiteId };
}

/** Training accounts are entered without a password: the stored ones are random and never shown. */
async function unusablePasswordHashes(): Promise<Map<string, string>> {
  return new Map(
    await Promise.all(DEMO_ACCOUNTS.map(async (a) => [a.username, await hashPassword(randomBytes(32).toString('base64url'))] as const)),
  );
}

async function lockTrainingOf(client: pg.PoolClient, liveSiteId: string): Promise<void> {
  // The seed of the hash is any fixed number, distinct from the other advisory-lock keys' seeds.
  await client.query('select pg_advisory_xact_lock(hashtextextended($1, 7262021004))', [`training:${liveSiteId}`]);
}
