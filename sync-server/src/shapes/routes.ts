import { timingSafeEqual } from 'node:crypto';
import cors from 'cors';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AccessControl } from '../auth/access.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import { caller, requireAuth } from '../auth/require-auth.ts';
import { HttpError } from '../http/errors.ts';
import { sendShapeBody, ShapeCompressor, UNCOMPRESSED_LENGTH_HEADER } from './compress.ts';
import { streamLive } from './live-stream.ts';
import { parseShapeRequest, ShapeRequestError, type ShapeCaller } from './request.ts';
import { ShapeUnavailableError, type ShapeAnswer, type ShapeService } from './shape-service.ts';

/** Headers a browser client must be able to read (it throws MissingHeadersError otherwise). */
export const ELECTRIC_HEADERS = [
  'electric-handle',
  'electric-offset',
  'electric-schema',
  'electric-cursor',
  'electric-up-to-date',
  'retry-after',
  UNCOMPRESSED_LENGTH_HEADER,
];

/** Long enough to share one cursor across a long-poll round, short enough to bust caches. */
const CURSOR_INTERVAL_MS = 20_000;

export const shapeCors = cors({ origin: true, exposedHeaders: ELECTRIC_HEADERS, maxAge: 86_400 });

/**
 * A signed-in user (Bearer token), or — when ELECTRIC_SECRET is set — a trusted proxy sending it
 * as `secret`, as Electric's own API does.
 */
export function authenticateShapeCaller(tokens: AccessTokens, access: AccessControl, secret: string | undefined): RequestHandler {
  const bearer = requireAuth(tokens, access);
  const expected = secret ? Buffer.from(secret) : undefined;
  return (req, res, next) => {
    const given = typeof req.query.secret === 'string' ? Buffer.from(req.query.secret) : undefined;
    if (expected && given && given.length === expected.length && timingSafeEqual(given, expected)) {
      res.locals.shapeCaller = 'trusted-proxy' satisfies ShapeCaller;
      return next();
    }
    bearer(req, res, (error?: unknown) => {
      if (!error) res.locals.shapeCaller = caller(req) satisfies ShapeCaller;
      next(error);
    });
  };
}

/**
 * A long-poll may wait 20 s: if its caller is disabled, demoted or their tablet revoked meanwhile
 * (access.ts), `aborted` is aborted at once and `revoked()` is the error the next request would
 * get. A trusted proxy is not watched (it has no account).
 */
export function endWhenRevoked(
  access: AccessControl,
  who: ShapeCaller,
  aborted: AbortController,
): { revoked(): HttpError | undefined; stop(): void } {
  let revoked: HttpError | undefined;
  const stop =
    who === 'trusted-proxy'
      ? () => {}
      : access.watch(who, (error) => {
          revoked = error;
          aborted.abort();
        });
  return { revoked: () => revoked, stop };
}

export function shapeRoutes(service: ShapeService, tokens: AccessTokens, access: AccessControl, secret?: string): Router {
  const router = Router();
  const compressor = new ShapeCompressor();
  router.options('/v1/shape', shapeCors);
  router.get('/v1/shape', shapeCors, authenticateShapeCaller(tokens, access, secret), async (req, res) => {
    res.vary('Authorization'); // added to cors' `Vary: Origin`, not replacing it
    try {
      const request = await parseShapeRequest(req.query, res.locals.shapeCaller as ShapeCaller, (table) =>
        service.schemaOf(table),
      );
      const aborted = new AbortController();
      res.on('close', () => aborted.abort());
      const watch = endWhenRevoked(access, res.locals.shapeCaller as ShapeCaller, aborted);
      let answer: ShapeAnswer;
      try {
        // SSE opens with what a catch-up would answer now (never waiting): a 409 or an error goes
        // out as it would to a long-poll, before the stream's headers.
        answer = await service.answer(request.sse ? { ...request, live: false } : request, aborted.signal);
        if (request.sse && answer.status === 200 && !watch.revoked() && !aborted.signal.aborted) {
          await streamLive(res, service, request, answer, { signal: aborted.signal, cursor: nextCursor(request.cursor) });
          return;
        }
      } finally {
        watch.stop();
      }
      const revoked = watch.revoked();
      if (revoked) throw revoked;
      if (aborted.signal.aborted) return;
      await send(req, res, compressor, answer, request.live && !request.sse, request.cursor);
    } catch (error) {
      if (error instanceof ShapeRequestError) {
        res.status(error.status).set('cache-control', 'no-store').json({ message: error.message, errors: error.errors });
      } else if (isFilterError(error)) {
        // The where compiler cannot know column types: `name = 1` or a uuid param that is not one
        // fails when PostgreSQL evaluates the filter.
        res.status(400).set('cache-control', 'no-store').json({
          message: 'Invalid request',
          errors: { where: [`PostgreSQL cannot evaluate this filter: ${(error as Error).message}`] },
        });
      } else if (error instanceof ShapeUnavailableError) {
        res.status(503).set({ 'cache-control': 'no-store', 'retry-after': '1' }).json({ message: error.message });
      } else {
        throw error;
      }
    }
  });
  return router;
}

/** Data exceptions (22…) and type or name errors (42…) raised while evaluating a shape's filter. */
function isFilterError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|42)/.test(code);
}

async function send(req: Request, res: Response, compressor: ShapeCompressor, answer: ShapeAnswer, live: boolean, clientCursor: string | undefined): Promise<void> {
  // What the body is: the same handle, asked-for offset and answered offset give the same changes.
  const key = `${answer.handle}:${String(req.query.offset)}:${answer.offset}:${live ? 'live' : ''}`;
  res.set('electric-handle', answer.handle);
  res.type('application/json');
  if (answer.status === 409) {
    res.status(409).set('cache-control', 'private, max-age=60, must-revalidate').send(answer.body);
    return;
  }
  res.set('electric-offset', answer.offset!);
  if (answer.schema) res.set('electric-schema', answer.schema);
  if (answer.upToDate) res.set('electric-up-to-date', '');
  if (live) {
    res.set('electric-cursor', nextCursor(clientCursor));
    res.set('cache-control', 'private, max-age=5, stale-while-revalidate=5');
    await sendShapeBody(req, res, compressor, key, answer.body);
    return;
  }
  // A non-live answer for (handle, offset) is a prefix of an immutable log: safe to revalidate.
  const etag = `"${answer.handle}:${String(req.query.offset)}:${answer.offset}"`;
  res.set('etag', etag);
  res.set('cache-control', 'private, max-age=60, stale-while-revalidate=300');
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  await sendShapeBody(req, res, compressor, key, answer.body);
}

/** Electric's cursor: a time bucket, never the one the client sent (it keys the client's replay guard). */
function nextCursor(clientCursor: string | undefined): string {
  const bucket = Math.floor(Date.now() / CURSOR_INTERVAL_MS);
  const previous = Number(clientCursor);
  return String(Number.isFinite(previous) && previous >= bucket ? previous + 1 : bucket);
}
