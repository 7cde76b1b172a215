import type { PGliteInterface } from '@electric-sql/pglite';
import { ApiRequestError, refreshSession, type ServerTarget } from '../api/server-api.ts';
import { deviceCredentials, markSessionExpired, readSession, storeSession, type LocalSession } from '../session/local-session.ts';

/** Renew the access token this long before it expires, so a long-poll never starts with a dying one. */
const RENEW_BEFORE_MS = 60_000;

/**
 * The leader's access to the signed-in session: the current access token, renewed through the
 * refresh token when it is about to expire or the server turned it down. Renewals are made one at
 * a time — a refresh token works once, and presenting it twice makes the server close the session.
 */
export class TokenKeeper {
  private renewing: Promise<LocalSession | null> | null = null;

  constructor(
    private readonly pg: PGliteInterface,
    private readonly server: ServerTarget,
  ) {}

  /** The session, or null when nobody is signed in or it has expired. */
  async session(): Promise<LocalSession | null> {
    const session = await readSession(this.pg);
    return session && !session.expired ? session : null;
  }

  /** A usable access token, renewed first if needed; null when the person must sign in again. */
  async accessToken(): Promise<string | null> {
    const session = await this.session();
    if (!session) return null;
    if (Date.parse(session.accessTokenExpiresAt) - Date.now() > RENEW_BEFORE_MS) return session.accessToken;
    return (await this.renew(session.accessToken))?.accessToken ?? null;
  }

  /**
   * Renews the session whose access token was `rejectedToken` (unless another renewal already
   * replaced it). Throws ApiRequestError(0) when the server cannot be reached: the session stays.
   */
  renew(rejectedToken: string): Promise<LocalSession | null> {
    this.renewing ??= this.renewNow(rejectedToken).finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewNow(rejectedToken: string): Promise<LocalSession | null> {
    const session = await this.session();
    if (!session) return null;
    if (session.accessToken !== rejectedToken && Date.parse(session.accessTokenExpiresAt) - Date.now() > RENEW_BEFORE_MS) {
      return session;
    }
    try {
      // storeSession keeps the new session durably before anything uses it. If the tablet dies
      // before that, it presents this refresh token again on its next start: within the server's
      // grace window (60 s) that is answered with the same new session, not taken for a theft.
      const renewed = await refreshSession(this.server, session.refreshToken, await deviceCredentials(this.pg));
      await storeSession(this.pg, renewed);
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403)) {
        await markSessionExpired(this.pg, session.refreshToken);
        return null;
      }
      throw error;
    }
    return this.session();
  }
}
