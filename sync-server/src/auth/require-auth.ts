import type { RequestHandler } from 'express';
import { HttpError } from '../http/errors.ts';
import type { AccessControl } from './access.ts';
import { AccessTokenError, type AccessTokens, type AccessTokenSubject } from './access-tokens.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requireAuth: who is calling, from the verified access token, checked against the database. */
    auth?: AccessTokenSubject;
  }
}

/**
 * Every protected route, reads included: a valid `Authorization: Bearer <access token>` (else 401),
 * whose account and tablet still have the rights it was issued with (access.ts; else 401/403).
 */
export function requireAuth(tokens: AccessTokens, access: AccessControl): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) {
      return next(
        new HttpError(401, 'unauthenticated', 'Sign in first: this needs an Authorization: Bearer <access token> header.', undefined, {
          'www-authenticate': 'Bearer',
        }),
      );
    }
    try {
      req.auth = await access.authorise(await tokens.verify(match[1]!));
      next();
    } catch (error) {
      if (error instanceof AccessTokenError) {
        return next(
          new HttpError(401, error.code, error.message, undefined, {
            'www-authenticate': `Bearer error="invalid_token"`,
          }),
        );
      }
      next(error);
    }
  };
}

/** The authenticated caller; only for handlers mounted behind requireAuth. */
export function caller(req: { auth?: AccessTokenSubject }): AccessTokenSubject {
  if (!req.auth) throw new Error('caller() used on a route without requireAuth');
  return req.auth;
}
