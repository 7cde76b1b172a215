import { errors, jwtVerify, SignJWT } from 'jose';
import { ROLES, type AccessClaims, type Role } from '@cimco/contract';

/** Short-lived JWT access tokens (HS256), checked without a database round trip. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'cimco-yard';
const AUDIENCE = 'cimco-yard';

export interface AccessTokenSubject {
  userId: string;
  siteId: string;
  role: Role;
  username: string;
  deviceId?: string;
}

export interface AccessTokens {
  sign(subject: AccessTokenSubject): Promise<{ token: string; expiresAt: Date }>;
  /** Throws AccessTokenError with a reason a person can act on. */
  verify(token: string): Promise<AccessTokenSubject>;
}

export class AccessTokenError extends Error {
  constructor(
    readonly code: 'token_expired' | 'token_invalid',
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

export function createAccessTokens(secret: string, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): AccessTokens {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(subject) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const claims: AccessClaims = { role: subject.role, site: subject.siteId, name: subject.username };
      if (subject.deviceId) claims.dev = subject.deviceId;
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(subject.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          // jose accepts a token without `exp` as never expiring: ours always carry one, so a token
          // without it was not made by this server's sign-in and must not live forever.
          requiredClaims: ['exp', 'iat', 'sub'],
        });
        const role = payload.role as Role;
        if (!payload.sub || typeof payload.site !== 'string' || !ROLES.includes(role)) {
          throw new AccessTokenError('token_invalid', 'The access token is missing required claims.');
        }
        return {
          userId: payload.sub,
          siteId: payload.site,
          role,
          username: String(payload.name ?? ''),
          deviceId: typeof payload.dev === 'string' ? payload.dev : undefined,
        };
      } catch (error) {
        if (error instanceof AccessTokenError) throw error;
        if (error instanceof errors.JWTExpired) {
          throw new AccessTokenError('token_expired', 'The access token has expired: refresh it or sign in again.');
        }
        throw new AccessTokenError('token_invalid', 'The access token is not valid: sign in again.');
      }
    },
  };
}
