import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';

const gzipAsync = promisify(gzip);

/**
 * Bodies smaller than this go as they are: snapshots and catch-ups are compressed, a live answer
 * (a change or two) is not — for 200 tablets long-polling one shape, gzipping and gunzipping each
 * small answer cost more time than its bytes save (bench:shapes, 200 clients: write → client p50
 * 324 ms with answers compressed from 1 KB on, 260 ms from 16 KB, in otherwise equal runs).
 */
export const COMPRESS_MIN_BYTES = 16 * 1024;
/**
 * The header that tells the tablet how long a compressed body is once decompressed (what it reads),
 * so the first sync's progress bar can count against it: Content-Length is then the gzip's length.
 */
export const UNCOMPRESSED_LENGTH_HEADER = 'x-uncompressed-length';

/**
 * Shape answers, gzipped (issue 15: a 50,000-part snapshot is 36.7 MB of JSON; repetitive JSON
 * shrinks about tenfold). Compressed on libuv's threads, not the event loop, and once per body:
 * every tablet fetching the same snapshot, or long-polling at the same offset, gets the same
 * compressed bytes. Keyed by the answer's identity (handle and offsets) and checked against the
 * body itself, so a key reused for other content can never send the wrong bytes.
 */
export class ShapeCompressor {
  readonly #cache = new LRUCache<string, { body: string; gzipped: Promise<Buffer> }>({
    // The body is held too (to check it), but it is usually the same string the shape service
    // caches for the snapshot or log page.
    maxSize: 128 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length + 64,
    ttl: 5 * 60_000,
  });

  /** The gzipped body, computed at most once while cached. */
  gzip(key: string, body: string): Promise<Buffer> {
    const cached = this.#cache.get(key);
    if (cached && cached.body === body) return cached.gzipped;
    // Level 6 (zlib's default) is within a few percent of 9 on JSON at a third of the time.
    const gzipped = gzipAsync(body, { level: 6, strategy: constants.Z_DEFAULT_STRATEGY });
    this.#cache.set(key, { body, gzipped });
    gzipped.catch(() => this.#cache.delete(key));
    return gzipped;
  }
}

/**
 * Sends a shape answer's body, gzipped when the client accepts it and it is worth it. `key` names
 * the content (handle and offsets).
 */
export async function sendShapeBody(req: Request, res: Response, compressor: ShapeCompressor, key: string, body: string): Promise<void> {
  res.vary('Accept-Encoding');
  if (body.length < COMPRESS_MIN_BYTES || req.acceptsEncodings('gzip', 'identity') !== 'gzip') {
    res.send(body);
    return;
  }
  const gzipped = await compressor.gzip(key, body);
  res.set('content-encoding', 'gzip');
  res.set(UNCOMPRESSED_LENGTH_HEADER, String(Buffer.byteLength(body)));
  res.send(gzipped);
}
