import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Router } from 'express';
import type { SyncedTable } from '@cimco/contract';
import type { AccessControl } from '../auth/access.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { Logger } from '../logger.ts';
import { parseShapeRequest, ShapeRequestError, type ShapeCaller, type ShapeRequest } from './request.ts';
import { authenticateShapeCaller, endWhenRevoked, shapeCors } from './routes.ts';
import type { TableSchema } from './table-schema.ts';

/**
 * Proxy mode (ELECTRIC_URL): `/v1/shape` is an authorising proxy in front of a real Electric. It
 * checks the caller and the request exactly as our own shape service does, then sends upstream
 * the shape the server decides — the table, and the caller's scope ANDed with the client's where,
 * with their params — plus the protocol's own parameters, and streams the answer back.
 * The server processes stay stateless: handles, offsets and logs are Electric's.
 */
const FORWARDED_PARAMS = ['offset', 'handle', 'live', 'cursor', 'replica', 'log', 'live_sse', 'experimental_live_sse', 'expired_handle', 'cache-buster'];

// fetch() decodes compressed bodies, so the upstream's encoding and length no longer apply; the
// hop-by-hop headers belong to the upstream connection.
const DROPPED_RESPONSE_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * The request sent to Electric: the shape the server decided (table, columns, the caller's scope
 * ANDed with the client's where, their params) and the protocol's own parameters, nothing else.
 */
export function upstreamShapeUrl(electricUrl: string, request: ShapeRequest, query: Record<string, unknown>, secret: string | undefined): URL {
  const upstream = new URL('/v1/shape', electricUrl);
  const q = upstream.searchParams;
  q.set('table', request.table);
  q.set('columns', request.shape.columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(','));
  q.set('where', request.shape.where);
  request.shape.params.forEach((value, i) => q.set(`params[${i + 1}]`, value));
  for (const name of FORWARDED_PARAMS) {
    const value = query[name];
    if (typeof value === 'string') q.set(name, value);
  }
  if (secret) q.set('secret', secret);
  return upstream;
}

export function proxyShapeRoutes(options: {
  electricUrl: string;
  secret: string | undefined;
  tokens: AccessTokens;
  access: AccessControl;
  schemaOf: (table: SyncedTable) => Promise<TableSchema>;
  logger: Logger;
}): Router {
  const router = Router();
  router.options('/v1/shape', shapeCors);
  router.get('/v1/shape', shapeCors, authenticateShapeCaller(options.tokens, options.access, undefined), async (req, res) => {
    res.set('vary', 'Authorization');
    let request;
    try {
      request = await parseShapeRequest(req.query, res.locals.shapeCaller as ShapeCaller, options.schemaOf);
    } catch (error) {
      if (error instanceof ShapeRequestError) {
        res.status(error.status).set('cache-control', 'no-store').json({ message: error.message, errors: error.errors });
        return;
      }
      throw error;
    }

    const upstream = upstreamShapeUrl(options.electricUrl, request, req.query, options.secret);

    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    // As in our own shape service: a long-poll whose caller loses the right ends at once.
    const watch = endWhenRevoked(options.access, res.locals.shapeCaller as ShapeCaller, aborted);
    res.on('close', watch.stop);
    let answer: globalThis.Response;
    try {
      answer = await fetch(upstream, {
        signal: aborted.signal,
        headers: {
          accept: 'application/json',
          ...(req.get('if-none-match') && { 'if-none-match': req.get('if-none-match')! }),
        },
      });
    } catch (error) {
      const revoked = watch.revoked();
      if (revoked) throw revoked;
      if (aborted.signal.aborted) return;
      options.logger.warn({ err: (error as Error).message }, 'the upstream Electric did not answer');
      res.status(502).set({ 'cache-control': 'no-store', 'retry-after': '1' }).json({ message: 'The sync service is unreachable; retrying.' });
      return;
    }
    res.status(answer.status);
    answer.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_HEADERS.has(name) && !name.startsWith('access-control-')) res.set(name, value);
    });
    res.set('vary', 'Authorization');
    if (!answer.body) {
      res.end();
      return;
    }
    Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return router;
}
