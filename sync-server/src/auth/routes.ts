import { Router } from 'express';
import type pg from 'pg';
import { loginRequestSchema, refreshRequestSchema, type DeviceCredentials, type Session } from '@cimco/contract';
import { HttpError, parseBody } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import type { AccessControl } from './access.ts';
import type { AccessTokens } from './access-tokens.ts';
import { checkDeviceAtRefresh, isKnownDevice, registerDevice } from './devices.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken } from './refresh-tokens.ts';
import { caller, requireAuth } from './require-auth.ts';
import { findUserById, findUserByUsername, publicUser, type StoredUser } from './users.ts';

interface AuthDeps {
  pool: pg.Pool;
  tokens: AccessTokens;
  access: AccessControl;
  refreshKey: Buffer;
  limiter: LoginLimiter;
  logger: Logger;
}

const WRONG_CREDENTIALS = new HttpError(401, 'invalid_credentials', 'Wrong username or password.');

function signAccess(tokens: AccessTokens, user: StoredUser, deviceId: string | null) {
  return tokens.sign({
    userId: user.id,
    siteId: user.siteId,
    role: user.role,
    username: user.username,
    ...(deviceId && { deviceId }),
  });
}

/**
 * A new session for someone whose identity is settled (a checked password, or a training yard's
 * account): registers the tablet, issues the refresh token and the first access token.
 */
export async function openSession(
  { pool, tokens }: { pool: pg.Pool; tokens: AccessTokens },
  user: StoredUser,
  device: DeviceCredentials | undefined,
  userAgent: string | undefined,
): Promise<Session> {
  if (device) await registerDevice(pool, device, user, userAgent);
  const deviceId = device?.id ?? null;
  const refresh = await issueRefreshToken(pool, { userId: user.id, deviceId });
  const access = await signAccess(tokens, user, deviceId);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
    user: publicUser(user),
  };
}

export function authRoutes({ pool, tokens, access, refreshKey, limiter, logger }: AuthDeps): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const body = parseBody(loginRequestSchema, req.body);
    const address = req.ip ?? 'unknown';
    const lookUp = once(() => findUserByUsername(pool, body.username));
    const wait = await limiter.check(body.username, address, {
      // Asked only while the account is being delayed: the person's own tablet is let through.
      isKnownDevice: async () => {
        const found = await lookUp();
        return found ? isKnownDevice(pool, body.device, found.id) : false;
      },
    });
    if (wait !== undefined) {
      const minutes = Math.ceil(wait / 60);
      const when = wait < 60 ? `${wait} second${wait === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
      throw new HttpError(
        429,
        'rate_limited',
        `Too many failed sign-in attempts. Try again in ${when}.`,
        undefined,
        { 'retry-after': String(wait) },
      );
    }
    const user = await lookUp();
    const valid = user?.active
      ? await verifyPassword(user.passwordHash, body.password)
      : await verifyAgainstDummy(body.password);
    if (!user || !valid) {
      limiter.recordFailure(body.username, address);
      logger.info({ username: body.username, address }, 'sign-in refused');
      throw WRONG_CREDENTIALS;
    }
    limiter.recordSuccess(body.username);
    const session = await openSession({ pool, tokens }, user, body.device, req.get('user-agent'));
    logger.info({ userId: user.id, deviceId: body.device?.id }, 'signed in');
    res.json(session);
  });

  router.post('/auth/refresh', async (req, res) => {
    const body = parseBody(refreshRequestSchema, req.body);
    // The tablet a session was started on proves itself before its token is used up.
    const rotated = await rotateRefreshToken(pool, body.refreshToken, refreshKey, (db, deviceId) =>
      checkDeviceAtRefresh(db, deviceId, body.device),
    );
    if (!rotated.ok) {
      if (rotated.reason === 'reused') {
        logger.warn('a used refresh token was presented again: its session family is revoked');
      }
      const message = {
        unknown: 'This session is not known: sign in again.',
        expired: 'This session has expired: sign in again.',
        revoked: 'This session was signed out: sign in again.',
        reused: 'This session was used from somewhere else and has been closed for safety: sign in again.',
      }[rotated.reason];
      throw new HttpError(401, `session_${rotated.reason}`, message);
    }
    if (rotated.replayed) logger.info({ userId: rotated.userId }, 'a renewal whose answer was lost was asked again: same successor sent');
    const user = await findUserById(pool, rotated.userId);
    if (!user?.active) throw new HttpError(401, 'account_disabled', 'This account is disabled.');
    const signed = await signAccess(tokens, user, rotated.deviceId);
    const session: Session = {
      accessToken: signed.token,
      accessTokenExpiresAt: signed.expiresAt.toISOString(),
      refreshToken: rotated.next.token,
      refreshTokenExpiresAt: rotated.next.expiresAt.toISOString(),
      user: publicUser(user),
    };
    res.json(session);
  });

  const authenticated = requireAuth(tokens, access);

  router.post('/auth/logout', authenticated, async (req, res) => {
    const body = parseBody(refreshRequestSchema, req.body);
    await revokeRefreshToken(pool, body.refreshToken, caller(req).userId);
    res.status(204).end();
  });

  router.get('/me', authenticated, async (req, res) => {
    const user = await findUserById(pool, caller(req).userId);
    if (!user?.active) throw new HttpError(401, 'account_disabled', 'This account no longer exists or is disabled.');
    res.json({ user: publicUser(user) });
  });

  return router;
}

/** `load`, called at most once however often the result is asked for. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= load());
}
