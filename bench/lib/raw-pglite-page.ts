/**
 * The raw-PGlite page of `bench:client` (bundled by raw-pglite.ts with esbuild): it starts the
 * dedicated worker (raw-pglite-worker.ts) as the app starts its database worker
 * (`new Worker(url, { type: 'module' })`) and times each operation on the page's clock, from the
 * postMessage to the answer, as the app's figures are timed. The bench calls it through
 * `window.__rawPglite` (Playwright's evaluate), one step at a time.
 */
import type { DurableResult, OpenResult, QueryResult, RawReply, RawRequest, SearchResultRaw } from './raw-pglite-protocol.ts';

/** What this file uses of a page's global scope (the bench's tsconfig has no DOM lib). */
interface WorkerLike {
  onmessage: ((event: { data: RawReply }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
interface PageScope {
  Worker: new (url: string, options: { type: 'module' }) => WorkerLike;
  navigator: { storage?: { estimate?: () => Promise<{ usage?: number }> } };
  __rawPglite?: unknown;
}

const scope = globalThis as unknown as PageScope;
const WORKER_URL = '/raw-pglite-worker.js';

let worker: WorkerLike | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let csv: string | undefined;

function startWorker(): WorkerLike {
  stopWorker();
  const started = new scope.Worker(WORKER_URL, { type: 'module' });
  started.onmessage = ({ data }) => {
    const call = waiting.get(data.id);
    if (!call) return;
    waiting.delete(data.id);
    if (data.ok) call.resolve(data.result);
    else call.reject(new Error(`in the worker: ${data.error ?? 'failed'}`));
  };
  started.onerror = (event) => {
    for (const call of waiting.values()) call.reject(new Error(`the worker failed: ${event.message ?? 'error event'}`));
    waiting.clear();
  };
  worker = started;
  return started;
}

function stopWorker(): void {
  worker?.terminate();
  worker = undefined;
  for (const call of waiting.values()) call.reject(new Error('the worker was stopped'));
  waiting.clear();
}

function send<T>(request: RawRequest): Promise<T> {
  const target = worker;
  if (!target) return Promise.reject(new Error('no worker'));
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    target.postMessage({ id, ...request });
  });
}

/** One request, timed from the postMessage to the answer (page clock, ms). */
async function timed<T>(request: RawRequest): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await send<T>(request);
  return { ms: performance.now() - started, result };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PageTimed<T> {
  /** postMessage → answer, on the page's clock. */
  ms: number;
  result: T;
}

const api = {
  /**
   * A new worker (the previous one terminated), then `open`: from `new Worker` to the first
   * query's answer, on the page's clock.
   */
  async startAndOpen(dataDir: string, initdbArgs: string[]): Promise<PageTimed<OpenResult>> {
    const started = performance.now();
    startWorker();
    const result = await send<OpenResult>({ op: 'open', dataDir, initdbArgs });
    return { ms: performance.now() - started, result };
  },

  /** `open` in the worker there is (after `close`: the same database again, PGlite's code loaded). */
  reopen(dataDir: string, initdbArgs: string[]): Promise<PageTimed<OpenResult>> {
    return timed<OpenResult>({ op: 'open', dataDir, initdbArgs });
  },

  close(): Promise<PageTimed<number>> {
    return timed<number>({ op: 'close' });
  },

  stop(): void {
    stopWorker();
  },

  /** Round trips of `request`, one after another, gapMs apart; page and (when it says) worker ms. */
  async roundTrips(request: RawRequest, n: number, gapMs: number): Promise<{ page: number[]; worker: number[] }> {
    const page: number[] = [];
    const inWorker: number[] = [];
    for (let i = 0; i < n; i++) {
      const { ms, result } = await timed<QueryResult | null>(request);
      page.push(ms);
      if (result && typeof result.ms === 'number') inWorker.push(result.ms);
      if (gapMs > 0) await sleep(gapMs);
    }
    return { page, worker: inWorker };
  },

  selectLoop(n: number): Promise<number[]> {
    return send<number[]>({ op: 'selectLoop', n });
  },

  exec(sql: string): Promise<PageTimed<DurableResult>> {
    return timed<DurableResult>({ op: 'exec', sql });
  },

  query(sql: string, params?: unknown[]): Promise<PageTimed<QueryResult>> {
    return timed<QueryResult>({ op: 'query', sql, params });
  },

  /** Fetches the parts CSV from the bench's server into the page (not timed). */
  async loadCsv(url: string): Promise<number> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    csv = await response.text();
    return csv.length;
  },

  /** COPY of the loaded CSV into `table`, then the flush. */
  copy(table: string, columns: string[]): Promise<PageTimed<DurableResult>> {
    if (csv === undefined) return Promise.reject(new Error('no CSV loaded'));
    const request: RawRequest = { op: 'copy', table, columns, csv };
    return timed<DurableResult>(request);
  },

  /** Each pattern searched once, one after another. */
  async searches(rowsSql: string, countSql: string, patterns: string[]): Promise<PageTimed<SearchResultRaw>[]> {
    const out: PageTimed<SearchResultRaw>[] = [];
    for (const pattern of patterns) out.push(await timed<SearchResultRaw>({ op: 'search', rowsSql, countSql, pattern }));
    return out;
  },

  /** n durable single-row inserts one after another, each waiting until flushed. */
  async inserts(sql: string, n: number): Promise<PageTimed<DurableResult>[]> {
    const out: PageTimed<DurableResult>[] = [];
    for (let i = 0; i < n; i++) {
      const args = { reason: 'used', movementId: crypto.randomUUID(), partNumber: `bench-${i}`, delta: -1 };
      out.push(await timed<DurableResult>({ op: 'durable', sql, params: ['stock.adjust', JSON.stringify(args)] }));
    }
    return out;
  },

  /** The origin's storage use (IndexedDB and OPFS together), bytes. */
  async storageUsage(): Promise<number> {
    const estimate = await scope.navigator.storage?.estimate?.();
    return estimate?.usage ?? 0;
  },
};

export type RawPgliteApi = typeof api;
scope.__rawPglite = api;
