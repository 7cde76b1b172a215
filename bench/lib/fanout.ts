import { setMaxListeners } from 'node:events';
import { isChangeMessage, isControlMessage, ShapeStream, type Row } from '@electric-sql/client';
import type pg from 'pg';
import { establishedConnections, type CostMeter, type PhaseCost } from './proc.ts';
import { CHANGES_CHANNEL } from '../../sync-server/src/shapes/publisher.ts';

/**
 * Benchmark 2: `clients` ShapeStreams (@electric-sql/client 1.5) on one shape — parts filtered by
 * a client `where` to about 100 rows, so they all share one handle — then single-row UPDATEs,
 * each in its own transaction, and the time from each COMMIT to each client receiving it.
 */

export interface FanOutOptions {
  serverUrl: string;
  serverPort: number;
  token: string;
  pool: pg.Pool;
  siteId: string;
  clients: number;
  writes: number;
  intervalMs: number;
  idleSeconds: number;
  /** Live mode: Electric's SSE (`liveSse`), or long-polls. */
  sse: boolean;
  /** Which hundred of part numbers the shape selects (…-00001xx for 1). */
  block: number;
  meter: CostMeter;
  /** Aborting it stops the clients (on Ctrl+C, before the server is stopped). */
  signal?: AbortSignal;
}

export interface FanOutResult {
  clients: number;
  sse: boolean;
  shapeRows: number;
  /** Seconds from creating the streams until every one is up to date with a long-poll open. */
  connectSeconds: number;
  /** Live requests in flight (long-polls waiting, SSE streams open; client side) just before each write: min and max. */
  inFlightAtWrites: [number, number];
  /** TCP connections accepted on the server's port just before the first write. */
  tcpConnections: number;
  expectedPairs: number;
  receivedPairs: number;
  /** Commit → client receipt, milliseconds, every (client, write) pair received. */
  latencies: number[];
  /** Per write: commit → the last client receiving it, milliseconds. */
  lastClient: number[];
  idle: PhaseCost;
  writePhase: PhaseCost;
  /** HTTP statuses the clients got from the first write on, and must-refetch messages (should be 200s and none). */
  statuses: Map<number, number>;
  mustRefetches: number;
  errors: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}

/** The same bytes, and `onEnd` once when they end, fail or are cancelled. */
function untilEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}

export async function fanOut(o: FanOutOptions): Promise<FanOutResult> {
  const where = `part_number like '%-${String(o.block).padStart(5, '0')}__'`;
  const { rows: partRows } = await o.pool.query<{ id: string }>(
    `select id from parts where site_id = $1 and ${where} order by part_number`,
    [o.siteId],
  );
  if (partRows.length === 0) throw new Error(`no parts match ${where}: use more --parts`);
  const partIds = partRows.map((r) => r.id);

  const label = `${o.clients} clients, ${o.sse ? 'SSE' : 'long-poll'}`;
  const marker = `bench-${o.clients}-${Date.now().toString(36)}-`;
  const commitAt: number[] = [];
  // received[w][client] = when client got write w (performance.now()), or undefined.
  const received: (number | undefined)[][] = Array.from({ length: o.writes }, () => new Array(o.clients));
  let receivedPairs = 0;
  const upToDate = new Array<boolean>(o.clients).fill(false);
  const errors: string[] = [];

  let liveInFlight = 0;
  let writing = false;
  const statuses = new Map<number, number>();
  let mustRefetches = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const live = url.includes('live=true');
    if (live) liveInFlight++;
    let streaming = false;
    try {
      const res = await fetch(input, init);
      if (writing) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // An SSE stream is live until its body ends, not when its headers arrive.
      if (live && res.body && res.headers.get('content-type')?.startsWith('text/event-stream')) {
        streaming = true;
        return new Response(untilEnd(res.body, () => liveInFlight--), res);
      }
      return res;
    } finally {
      if (live && !streaming) liveInFlight--;
    }
  };

  const aborter = new AbortController();
  setMaxListeners(o.clients * 2 + 10, aborter.signal); // every stream listens on it
  o.signal?.addEventListener('abort', () => aborter.abort(), { once: true });
  const streams: ShapeStream<Row>[] = [];
  const connectStarted = performance.now();
  for (let client = 0; client < o.clients; client++) {
    const stream = new ShapeStream<Row>({
      url: `${o.serverUrl}/v1/shape`,
      params: { table: 'parts', where },
      headers: { authorization: `Bearer ${o.token}` },
      signal: aborter.signal,
      fetchClient: countingFetch,
      liveSse: o.sse,
    });
    stream.subscribe(
      (messages) => {
        const now = performance.now();
        for (const message of messages) {
          if (isControlMessage(message)) {
            if (message.headers.control === 'up-to-date') upToDate[client] = true;
            if (message.headers.control === 'must-refetch' && writing) mustRefetches++;
            continue;
          }
          if (!isChangeMessage(message) || message.headers.operation !== 'update') continue;
          const description = message.value.description;
          if (typeof description !== 'string' || !description.startsWith(marker)) continue;
          const write = Number(description.slice(marker.length));
          if (received[write] && received[write][client] === undefined) {
            received[write][client] = now;
            receivedPairs++;
          }
        }
      },
      (error) => errors.push(`client ${client}: ${error.message}`),
    );
    streams.push(stream);
  }

  try {
    await until(() => upToDate.every(Boolean) && liveInFlight >= o.clients, 120_000, `${o.clients} clients to be live`);
    const connectSeconds = (performance.now() - connectStarted) / 1000;

    // Idle: every client holds a long-poll; the server answers each with up-to-date on its timeout.
    o.meter.start(`idle, ${label}`);
    await sleep(o.idleSeconds * 1000);
    const idle = o.meter.end(`idle, ${label}`);
    await until(() => liveInFlight >= o.clients, 30_000, 'the long-polls to be re-established after idling');

    const tcpConnections = establishedConnections(o.serverPort).serverSide;
    const inFlight: number[] = [];
    o.meter.start(`writes, ${label}`);
    writing = true;
    const writesStarted = performance.now();
    const db = await o.pool.connect();
    try {
      for (let w = 0; w < o.writes; w++) {
        await sleep(writesStarted + w * o.intervalMs - performance.now());
        inFlight.push(liveInFlight);
        await db.query('begin');
        await db.query('update parts set description = $1 where id = $2', [`${marker}${w}`, partIds[w % partIds.length]]);
        await db.query('commit');
        commitAt[w] = performance.now();
        // As the server's own writes do (sync-server/src/shapes/feed-waker.ts): wake the publisher
        // after the commit. Without it an outside write waits for the publisher's poll (250 ms).
        await db.query(`select pg_notify('${CHANGES_CHANNEL}', '')`);
      }
    } finally {
      db.release();
    }
    const expectedPairs = o.clients * o.writes;
    await until(() => receivedPairs >= expectedPairs, 30_000, 'every client to receive every write').catch((error: Error) =>
      errors.push(error.message),
    );
    const writePhase = o.meter.end(`writes, ${label}`);

    const latencies: number[] = [];
    const lastClient: number[] = [];
    for (let w = 0; w < o.writes; w++) {
      let last = 0;
      for (const at of received[w]!) {
        if (at === undefined) continue;
        latencies.push(at - commitAt[w]!);
        last = Math.max(last, at - commitAt[w]!);
      }
      lastClient.push(last);
    }
    return {
      clients: o.clients,
      sse: o.sse,
      shapeRows: partIds.length,
      connectSeconds,
      inFlightAtWrites: [Math.min(...inFlight), Math.max(...inFlight)],
      tcpConnections,
      expectedPairs,
      receivedPairs,
      latencies,
      lastClient,
      idle,
      writePhase,
      statuses,
      mustRefetches,
      errors,
    };
  } finally {
    aborter.abort();
    for (const stream of streams) stream.unsubscribeAll();
  }
}
