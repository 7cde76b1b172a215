import { errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
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

/**
 * Tokens already verified, until they expire (issue 15): a tablet long-polls every shape it syncs
 * with the same token for 15 minutes, and checking the signature of each of those requests was a
 * good part of the server's cost per client. A token is a signed, immutable text: once its
 * signature and claims are checked, the same text always means the same caller, so only its
 * expiry is checked again. What can change — the account disabled, the role changed, the tablet
 * revoked — is checked on every request by access.ts, never cached here.
 */
const VERIFIED_TOKENS_KEPT = 20_000;

export function createAccessTokens(secret: string, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const verified = new LRUCache<string, { subject: AccessTokenSubject; expiresAtMs: number }>({ max: VERIFIED_TOKENS_KEPT });
  const expiredError = () => new AccessTokenError('token_expired', 'The access token has expired: refresh it or sign in again.');
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
      const known = verified.get(token);
      if (known) {
        if (Date.now() < known.expiresAtMs) return known.subject;
        verified.delete(token);
        throw expiredError();
      }
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
        // Frozen: the same object answers every later request with this token.
        const subject: AccessTokenSubject = Object.freeze({
          userId: payload.sub,
          siteId: payload.site,
          role,
          username: String(payload.name ?? ''),
          deviceId: typeof payload.dev === 'string' ? payload.dev : undefined,
        });
        verified.set(token, { subject, expiresAtMs: payload.exp! * 1000 });
        return subject;
      } catch (error) {
        if (error instanceof AccessTokenError) throw error;
        if (error instanceof errors.JWTExpired) throw expiredError();
        throw new AccessTokenError('token_invalid', 'The access token is not valid: sign in again.');
      }
    },
  };
}
