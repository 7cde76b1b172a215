import cors from 'cors';
import { Router, type Request, type Response } from 'express';
import type { AccessTokens } from '../auth/access-tokens.ts';
import { caller, requireAuth } from '../auth/require-auth.ts';
import { parseShapeRequest, ShapeRequestError } from './request.ts';
import { ShapeUnavailableError, type ShapeAnswer, type ShapeService } from './shape-service.ts';

/** Headers a browser client must be able to read (it throws MissingHeadersError otherwise). */
export const ELECTRIC_HEADERS = [
  'electric-handle',
  'electric-offset',
  'electric-schema',
  'electric-cursor',
  'electric-up-to-date',
  'retry-after',
];

/** Long enough to share one cursor across a long-poll round, short enough to bust caches. */
const CURSOR_INTERVAL_MS = 20_000;

export function shapeRoutes(service: ShapeService, tokens: AccessTokens): Router {
  const router = Router();
  const corsForShapes = cors({ origin: true, exposedHeaders: ELECTRIC_HEADERS, maxAge: 86_400 });
  router.options('/v1/shape', corsForShapes);
  router.get('/v1/shape', corsForShapes, requireAuth(tokens), async (req, res) => {
    res.set('vary', 'Authorization');
    try {
      const request = await parseShapeRequest(req.query, caller(req), (table) => service.schemaOf(table));
      const aborted = new AbortController();
      res.on('close', () => aborted.abort());
      const answer = await service.answer(request, aborted.signal);
      if (aborted.signal.aborted) return;
      send(req, res, answer, request.live, request.cursor);
    } catch (error) {
      if (error instanceof ShapeRequestError) {
        res.status(error.status).set('cache-control', 'no-store').json({ message: error.message, errors: error.errors });
      } else if (error instanceof ShapeUnavailableError) {
        res.status(503).set({ 'cache-control': 'no-store', 'retry-after': '1' }).json({ message: error.message });
      } else {
        throw error;
      }
    }
  });
  return router;
}

function send(req: Request, res: Response, answer: ShapeAnswer, live: boolean, clientCursor: string | undefined): void {
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
    res.send(answer.body);
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
  res.send(answer.body);
}

/** Electric's cursor: a time bucket, never the one the client sent (it keys the client's replay guard). */
function nextCursor(clientCursor: string | undefined): string {
  const bucket = Math.floor(Date.now() / CURSOR_INTERVAL_MS);
  const previous = Number(clientCursor);
  return String(Number.isFinite(previous) && previous >= bucket ? previous + 1 : bucket);
}
