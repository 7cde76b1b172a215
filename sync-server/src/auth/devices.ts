import type pg from 'pg';
import { HttpError } from '../http/errors.ts';

/**
 * A tablet registers itself (its own UUID, kept in its storage) when someone signs in on it. An
 * admin can revoke a lost tablet: it can then neither sign in nor refresh.
 */
export async function registerDevice(
  pool: pg.Pool,
  device: { id: string; name?: string | undefined },
  user: { id: string; siteId: string },
  userAgent: string | undefined,
): Promise<void> {
  const { rows } = await pool.query<{ site_id: string; revoked_at: Date | null }>(
    `insert into devices (id, site_id, user_id, name, user_agent)
     values ($1, $2, $3, $4, left($5, 500))
     on conflict (id) do update
       set user_id = excluded.user_id,
           name = coalesce(excluded.name, devices.name),
           user_agent = excluded.user_agent,
           last_seen_at = now()
       where devices.site_id = excluded.site_id and devices.revoked_at is null
     returning site_id, revoked_at`,
    [device.id, user.siteId, user.id, device.name ?? null, userAgent ?? null],
  );
  if (rows[0]) return;
  // Nothing returned: the device exists but is revoked or belongs to another yard.
  throw new HttpError(
    403,
    'device_revoked',
    'This tablet has been revoked or belongs to another yard. Ask an administrator to register it again.',
  );
}

export async function isDeviceRevoked(pool: pg.Pool, deviceId: string): Promise<boolean> {
  const { rows } = await pool.query<{ revoked: boolean }>(
    'select revoked_at is not null as revoked from devices where id = $1',
    [deviceId],
  );
  return rows[0]?.revoked ?? false;
}
