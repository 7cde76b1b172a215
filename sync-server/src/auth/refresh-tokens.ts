import { createHash, createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { inTransaction } from '../db/database.ts';

/**
 * Opaque, rotating refresh tokens.
 *
 * Only a SHA-256 of each token is stored. Every sign-in starts a family with a random token; each
 * refresh uses its token up and issues the next one in the same family. Presenting a used token
 * again means a copy exists somewhere else (stolen, or replayed): the whole family is revoked, and
 * every holder must sign in again.
 *
 * Grace window: a tablet whose browser was killed between the server's rotation and storing the
 * answer presents the token it still has, which is already used. For REFRESH_GRACE_SECONDS after
 * that use, and while the successor has not been used itself, this is a lost answer, not a theft:
 * the server answers with the same successor again. It can, without keeping any token in clear,
 * because a successor is derived from its predecessor with a server key (HMAC): only this server
 * can compute it, and only from the token itself. Two racing renewals therefore get the same
 * token, and the family never forks. Outside the window, or once the successor was used, the old
 * token revokes the family as before.
 */
export const REFRESH_TOKEN_TTL_DAYS = 30;
export const REFRESH_GRACE_SECONDS = 60;

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

export type RotationResult =
  | { ok: true; userId: string; deviceId: string | null; next: IssuedRefreshToken; replayed: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

type Queryable = pg.Pool | pg.PoolClient;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The token that follows `token` in its family: the same every time, and only with `key`. */
function successorOf(token: string, key: Buffer): string {
  return createHmac('sha256', key).update(`refresh-successor:${token}`).digest('base64url');
}

/** A key for successors from the server's signing secret (a separate key for a separate use). */
export function refreshKeyFrom(secret: string): Buffer {
  return createHmac('sha256', secret).update('cimco-yard refresh-token successors').digest();
}

export async function issueRefreshToken(
  db: Queryable,
  {
    userId,
    deviceId,
    familyId = uuidv7(),
    token = randomBytes(32).toString('base64url'),
  }: { userId: string; deviceId: string | null; familyId?: string; token?: string },
): Promise<IssuedRefreshToken> {
  const expiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_DAYS * 24 * 3600 * 1000);
  await db.query(
    `insert into refresh_tokens (id, family_id, user_id, device_id, token_hash, expires_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [uuidv7(), familyId, userId, deviceId, hashToken(token), expiresAt],
  );
  return { token, expiresAt };
}

interface TokenRow {
  family_id: string;
  user_id: string;
  device_id: string | null;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  in_grace: boolean;
}

/**
 * Uses `token` up and issues its successor, atomically: two concurrent refreshes get the same one.
 * `checkDevice` runs, in the same transaction, only for a token that would otherwise be honoured
 * and names a tablet: if it throws, nothing is used up. (A dead token is refused as dead, whoever
 * presents it; a live one is not burnt by someone who cannot prove the tablet.)
 */
export async function rotateRefreshToken(
  pool: pg.Pool,
  token: string,
  key: Buffer,
  checkDevice: (db: pg.PoolClient, deviceId: string) => Promise<void> = async () => {},
): Promise<RotationResult> {
  return inTransaction(pool, async (client) => {
    const select = `select family_id, user_id, device_id, expires_at, used_at, revoked_at,
                           used_at > now() - make_interval(secs => $2) as in_grace
                      from refresh_tokens where token_hash = $1 for update`;
    const { rows } = await client.query<TokenRow>(select, [hashToken(token), REFRESH_GRACE_SECONDS]);
    const row = rows[0];
    const nextToken = successorOf(token, key);
    let result: RotationResult;
    if (!row) {
      result = { ok: false, reason: 'unknown' };
    } else if (row.revoked_at) {
      result = { ok: false, reason: 'revoked' };
    } else if (row.used_at) {
      const successor = row.in_grace
        ? (await client.query<TokenRow>(select, [hashToken(nextToken), REFRESH_GRACE_SECONDS])).rows[0]
        : undefined;
      if (successor && successor.family_id === row.family_id && !successor.used_at && !successor.revoked_at) {
        if (row.device_id) await checkDevice(client, row.device_id);
        result = {
          ok: true,
          userId: row.user_id,
          deviceId: row.device_id,
          next: { token: nextToken, expiresAt: successor.expires_at },
          replayed: true,
        };
      } else {
        await revokeFamily(client, row.family_id, 'reuse');
        result = { ok: false, reason: 'reused' };
      }
    } else if (row.expires_at.getTime() <= Date.now()) {
      result = { ok: false, reason: 'expired' };
    } else {
      if (row.device_id) await checkDevice(client, row.device_id);
      await client.query('update refresh_tokens set used_at = now() where token_hash = $1', [hashToken(token)]);
      const next = await issueRefreshToken(client, {
        userId: row.user_id,
        deviceId: row.device_id,
        familyId: row.family_id,
        token: nextToken,
      });
      result = { ok: true, userId: row.user_id, deviceId: row.device_id, next, replayed: false };
    }
    return result;
  });
}

/** Signs out the session that `token` belongs to (its whole family). Returns false if not the user's. */
export async function revokeRefreshToken(pool: pg.Pool, token: string, userId: string): Promise<boolean> {
  const { rows } = await pool.query<{ family_id: string }>(
    'select family_id from refresh_tokens where token_hash = $1 and user_id = $2',
    [hashToken(token), userId],
  );
  if (!rows[0]) return false;
  await revokeFamily(pool, rows[0].family_id, 'logout');
  return true;
}

async function revokeFamily(db: Queryable, familyId: string, reason: 'logout' | 'reuse'): Promise<void> {
  await db.query(
    `update refresh_tokens set revoked_at = now(), revoked_reason = $2
      where family_id = $1 and revoked_at is null`,
    [familyId, reason],
  );
}
