import type { Response } from 'express';
import type { ShapeRequest } from './request.ts';
import { upToDateMessage, type ShapeAnswer, type ShapeService } from './shape-service.ts';

/**
 * Electric's SSE live mode (`live_sse=true`): instead of one long-poll per change, a client keeps
 * one response open and every change batch is written to it as events — one `data:` line per
 * message, the batch closed by an up-to-date message that carries the feed position (Electric's
 * clients take their next offset from it). The stream ends after a minute, when the client
 * goes, when the server stops, or when the handle is no longer the shape's; the client then
 * reconnects, and that request gets whatever a request would (a 409, a 401…).
 *
 * For a server this is what makes many live tablets cheap (issue 15): a change costs one write of
 * bytes per client, not an HTTP request and response.
 */

/**
 * A stream stays open for three live timeouts (SHAPE_LIVE_TIMEOUT_MS, 20 s: a minute), and says
 * something at least once a live timeout (a comment, when nothing changed).
 */
const STREAM_TIMEOUTS = 3;

/** The events of one answer: each message, then its up-to-date (when it reaches one). */
function events(changes: NonNullable<ShapeAnswer['changes']>): string {
  let text = '';
  for (const message of changes.messages) text += `data: ${message}\n\n`;
  if (changes.upToDateAt !== undefined) text += `data: ${upToDateMessage(changes.upToDateAt)}\n\n`;
  return text;
}

/**
 * Streams `opening` (an answer that does not wait: what a catch-up request would get now) and then
 * every live answer after it, until the stream ends. The caller has checked that `opening` is a 200
 * with changes.
 */
export async function streamLive(
  res: Response,
  service: ShapeService,
  request: ShapeRequest,
  opening: ShapeAnswer,
  { signal, cursor }: { signal: AbortSignal; cursor: string },
): Promise<void> {
  const handle = opening.handle;
  let changes = opening.changes!;
  res.status(200).set({
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    // A proxy such as nginx would otherwise hold the events back until it had a buffer's worth.
    'x-accel-buffering': 'no',
    'electric-handle': handle,
    'electric-offset': opening.offset!,
    'electric-cursor': cursor,
    ...(opening.schema && { 'electric-schema': opening.schema }),
  });
  res.flushHeaders();
  if (changes.messages.length > 0 || changes.upToDateAt !== undefined) res.write(events(changes));

  const deadline = Date.now() + STREAM_TIMEOUTS * service.liveTimeoutMs;
  let sentUpToDate = changes.upToDateAt;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal.aborted || service.stopping) break;
    const next = await service.nextLive(request, handle, changes.through, signal, Math.min(remaining, service.liveTimeoutMs));
    if (signal.aborted || next.status !== 200 || !next.changes) break;
    changes = next.changes;
    if (changes.messages.length > 0 || changes.upToDateAt !== sentUpToDate) {
      res.write(events(changes));
      sentUpToDate = changes.upToDateAt;
    } else {
      // Nothing new until the timeout: a comment, which clients ignore, keeps idle connections
      // from being cut by proxies and tells a dead one apart.
      res.write(':\n\n');
    }
  }
  res.end();
}
