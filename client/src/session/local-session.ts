import type { PGliteInterface } from '@electric-sql/pglite';
import type { Role, Session } from '@cimco/contract';
import { persisted } from '../db/persisted.ts';

/** Who is signed in on this tablet, as kept in its database (the `session` table). */
export interface LocalSession {
  userId: string;
  siteId: string;
  username: string;
  displayName: string;
  role: Role;
  locale: 'en' | 'es';
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  /** The server refused to renew it: the person must sign in again before anything is uploaded. */
  expired: boolean;
}

/** Wakes the leader's sync and uploader (they LISTEN on it) when someone signs in or out. */
export const SESSION_CHANGED = 'cimco_session_changed';

interface SessionRow {
  user_id: string;
  site_id: string;
  username: string;
  display_name: string;
  role: Role;
  locale: 'en' | 'es';
  access_token: string;
  access_token_expires_at: string;
  refresh_token: string;
  refresh_token_expires_at: string;
  expired: boolean;
}

export const SESSION_COLUMNS = `user_id, site_id, username, display_name, role, locale, access_token,
  access_token_expires_at::text as access_token_expires_at, refresh_token,
  refresh_token_expires_at::text as refresh_token_expires_at, expired`;

export function sessionFromRow(row: SessionRow): LocalSession {
  return {
    userId: row.user_id,
    siteId: row.site_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    locale: row.locale,
    accessToken: row.access_token,
    accessTokenExpiresAt: new Date(row.access_token_expires_at).toISOString(),
    refreshToken: row.refresh_token,
    refreshTokenExpiresAt: new Date(row.refresh_token_expires_at).toISOString(),
    expired: row.expired,
  };
}

export async function readSession(pg: Pick<PGliteInterface, 'query'>): Promise<LocalSession | null> {
  const { rows } = await pg.query<SessionRow>(`select ${SESSION_COLUMNS} from session`);
  return rows[0] ? sessionFromRow(rows[0]) : null;
}

/** Stores a session the server issued (sign-in or refresh) and tells the leader. */
export async function storeSession(pg: Pick<PGliteInterface, 'query' | 'exec'>, session: Session): Promise<void> {
  await pg.query(
    `insert into session (user_id, site_id, username, display_name, role, locale, access_token, access_token_expires_at,
       refresh_token, refresh_token_expires_at, expired)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false)
     on conflict (only_one) do update set user_id = excluded.user_id, site_id = excluded.site_id, username = excluded.username,
       display_name = excluded.display_name, role = excluded.role, locale = excluded.locale, access_token = excluded.access_token,
       access_token_expires_at = excluded.access_token_expires_at, refresh_token = excluded.refresh_token,
       refresh_token_expires_at = excluded.refresh_token_expires_at, expired = false, signed_in_at = now()`,
    [
      session.user.id, session.user.siteId, session.user.username, session.user.displayName, session.user.role, session.user.locale,
      session.accessToken, session.accessTokenExpiresAt, session.refreshToken, session.refreshTokenExpiresAt,
    ],
  );
  await pg.exec(`notify ${SESSION_CHANGED}`);
  // Kept before the caller goes on: the server may have retired the refresh token this replaces.
  await persisted(pg);
}

export async function markSessionExpired(pg: Pick<PGliteInterface, 'query' | 'exec'>, refreshToken: string): Promise<void> {
  // Only the session that failed: someone may have signed in again meanwhile.
  await pg.query('update session set expired = true where refresh_token = $1', [refreshToken]);
  await pg.exec(`notify ${SESSION_CHANGED}`);
  await persisted(pg);
}

export async function clearSession(pg: Pick<PGliteInterface, 'exec'>): Promise<void> {
  await pg.exec(`delete from session; notify ${SESSION_CHANGED};`);
  await persisted(pg);
}

/**
 * This tablet's id and secret. The secret is made the first time it is needed (the first sign-in)
 * and kept before it is ever sent: the server remembers it, and a tablet that forgot it could no
 * longer use its own id. It never leaves the tablet except to the server, over sign-in and renewal.
 */
export async function deviceCredentials(pg: Pick<PGliteInterface, 'query' | 'exec'>): Promise<{ id: string; secret: string }> {
  const { rows } = await pg.query<{ id: string; secret: string | null }>('select id, secret from device');
  const row = rows[0];
  if (!row) throw new Error('the local database has no device id');
  if (row.secret) return { id: row.id, secret: row.secret };
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const secret = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  // Another tab may have made one meanwhile: the first one kept wins.
  await pg.query('update device set secret = $1 where secret is null', [secret]);
  await persisted(pg);
  return deviceCredentials(pg);
}

export async function deviceId(pg: Pick<PGliteInterface, 'query'>): Promise<string> {
  const { rows } = await pg.query<{ id: string }>('select id from device');
  if (!rows[0]) throw new Error('the local database has no device id');
  return rows[0].id;
}
