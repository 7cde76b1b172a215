import { createHash, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { DeviceCredentials } from '@cimco/contract';
import { inTransaction } from '../db/database.ts';
import { HttpError } from '../http/errors.ts';

/**
 * Tablets. A tablet makes its id and a secret at its first start and registers both when someone
 * signs in on it (the secret stored as a SHA-256 digest). From then on its id is only usable with
 * its secret: ids are visible to the whole yard (stock movements, conflicts), secrets never leave
 * the tablet. Several people may sign in on one tablet in turn; each session names the tablet.
 * An admin can revoke a lost tablet: it can then neither sign in nor refresh.
 *
 * Tablets registered before secrets existed have none; the first sign-in of that tablet's last
 * user, or a renewal of a session started on it, records the secret it presents.
 */
export function hashDeviceSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function sameSecret(stored: Buffer, secret: string): boolean {
  return timingSafeEqual(stored, hashDeviceSecret(secret));
}

export const DEVICE_NOT_YOURS = new HttpError(
  403,
  'device_not_yours',
  'This tablet id belongs to another tablet. Sign in from the app on your own tablet; if this is that tablet and it was reset, ask an administrator to register it again.',
);
const DEVICE_REVOKED = new HttpError(
  403,
  'device_revoked',
  'This tablet has been revoked or belongs to another yard. Ask an administrator to register it again.',
);

interface DeviceRow {
  site_id: string;
  user_id: string | null;
  revoked_at: Date | null;
  secret_hash: Buffer | null;
}

/** Registers the tablet at sign-in, or checks it is the one registered under that id (403 if not). */
export async function registerDevice(
  pool: pg.Pool,
  device: DeviceCredentials,
  user: { id: string; siteId: string },
  userAgent: string | undefined,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const { rows } = await client.query<DeviceRow>(
      'select site_id, user_id, revoked_at, secret_hash from devices where id = $1 for update',
      [device.id],
    );
    const row = rows[0];
    const secretHash = device.secret ? hashDeviceSecret(device.secret) : null;
    if (!row) {
      await client.query(
        `insert into devices (id, site_id, user_id, name, user_agent, secret_hash) values ($1, $2, $3, $4, left($5, 500), $6)`,
        [device.id, user.siteId, user.id, device.name ?? null, userAgent ?? null, secretHash],
      );
    } else {
      if (row.site_id !== user.siteId || row.revoked_at) throw DEVICE_REVOKED;
      if (row.secret_hash) {
        if (!device.secret || !sameSecret(row.secret_hash, device.secret)) throw DEVICE_NOT_YOURS;
      } else if (device.secret && row.user_id !== user.id) {
        // A tablet without a secret yet: only its own last user may give it one, else anyone who
        // read its id could claim it.
        throw DEVICE_NOT_YOURS;
      }
      await client.query(
        `update devices set user_id = $2, name = coalesce($3, name), user_agent = left($4, 500), last_seen_at = now(),
                secret_hash = coalesce(secret_hash, $5)
          where id = $1`,
        [device.id, user.id, device.name ?? null, userAgent ?? null, secretHash],
      );
    }
  });
}

/** Whether `userId` already has had a session on this tablet, and the tablet proves it is it. */
export async function isKnownDevice(pool: pg.Pool, device: DeviceCredentials | undefined, userId: string): Promise<boolean> {
  if (!device?.secret) return false;
  const { rows } = await pool.query<{ secret_hash: Buffer | null; known: boolean }>(
    `select d.secret_hash, exists (select 1 from refresh_tokens r where r.device_id = d.id and r.user_id = $2) as known
       from devices d where d.id = $1 and d.revoked_at is null`,
    [device.id, userId],
  );
  const row = rows[0];
  return Boolean(row?.known && row.secret_hash && sameSecret(row.secret_hash, device.secret));
}

/**
 * At a renewal: the session's tablet must prove itself again when it has a secret (a refresh
 * token copied off a tablet is useless without it), and a tablet without one yet gets the one it
 * presents. Throws 403 when revoked or not proven.
 */
export async function checkDeviceAtRefresh(
  db: pg.Pool | pg.PoolClient,
  deviceId: string,
  presented: { id: string; secret: string } | undefined,
): Promise<void> {
  const { rows } = await db.query<DeviceRow>('select site_id, user_id, revoked_at, secret_hash from devices where id = $1 for update', [deviceId]);
  const row = rows[0];
  if (!row || row.revoked_at) throw new HttpError(403, 'device_revoked', 'This tablet has been revoked. Ask an administrator.');
  const proven = presented?.id === deviceId;
  if (row.secret_hash) {
    if (!proven || !sameSecret(row.secret_hash, presented.secret)) throw DEVICE_NOT_YOURS;
  } else if (proven) {
    await db.query('update devices set secret_hash = $2 where id = $1 and secret_hash is null', [deviceId, hashDeviceSecret(presented.secret)]);
  }
}
