import type { Page } from '@playwright/test';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { SYNCED_TABLES } from '@cimco/contract';
import type { OpenBrowser } from './client-browser.ts';
import type { NetworkSwitch } from './client-network.ts';
import type { PageMarks, RecordOutcome, SearchOutcome, UsableResult } from './client-probe.ts';
import type { SeededYard } from './environment.ts';
import { median } from './format.ts';

/**
 * The four measurements of `bench:client`, each in a real Chromium against the real server:
 * first visit, offline cold start, search, and the offline queue's flush after reconnecting.
 */

const ROW = '[data-testid="part-row"]';
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Calls a method of the probe (client-probe.ts) in the page. */
async function probe<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([name, list]) => {
      const bench = (globalThis as unknown as { __cimcoBench?: Record<string, (...a: unknown[]) => unknown> }).__cimcoBench;
      if (!bench) throw new Error('the bench probe is not installed in this page');
      return bench[name as string]!(...(list as unknown[]));
    },
    [method, args] as const,
  ) as Promise<T>;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / SECOND);

// ---------------------------------------------------------------------------------------------
// 1. First visit
// ---------------------------------------------------------------------------------------------

export interface FirstVisit {
  /** Seconds since navigation start (the page's clock). */
  loginForm: number | undefined;
  /** Seconds from the sign-in submit. */
  signInToRows: number | undefined;
  signInToSyncDone: number;
  signInToUsable: number;
  /** Navigation start → usable, including the bench's typing of the credentials (≈ 0.1 s). */
  navigationToUsable: number;
  rowsShown: boolean;
  /** When the service worker controlled the page, seconds since navigation; undefined: only after a reload. */
  swControl: number | undefined;
  reloadedForServiceWorker: boolean;
  syncedRows: Record<string, number>;
  storageBytes: number;
  /** `select 1` through the worker, ms, 10 round trips 0.5 s apart once the app is idle. */
  idleRoundTrips: number[];
  /** The PGlite storage kinds the origin holds a database in ('idb', 'opfs-ahp'). */
  storageKinds: string[];
}

export async function firstVisit(browser: OpenBrowser, url: string, yard: SeededYard, progress: (m: string) => void): Promise<FirstVisit> {
  const { page } = browser;
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  await page.locator('#username').waitFor({ state: 'visible', timeout: 3 * MINUTE });
  await page.locator('#username').fill(yard.username);
  await page.locator('#password').fill(yard.password);
  await page.locator('button[type="submit"]').click();
  progress(`signed in; waiting for the initial sync of ${yard.parts.toLocaleString('en-US')} parts and the part rows`);
  const usable = await probe<UsableResult>(page, 'waitUsable', yard.parts, 20 * MINUTE, 30 * SECOND);
  const m = usable.marks;
  if (m.submit === undefined) throw new Error('the sign-in form was not submitted');
  const usableAt = Math.max(usable.syncDone, m.firstRow ?? usable.syncDone);
  if (usable.rowsShown && !(await page.locator(ROW).first().isVisible())) {
    throw new Error('part rows are in the page but not visible');
  }

  // The service worker must control the page, or the offline start would have nothing to load.
  let marks = await probe<PageMarks>(page, 'waitFor', 'swControl', 60 * SECOND);
  const swControl = seconds(marks.swControl);
  let reloaded = false;
  if (marks.swControl === undefined) {
    progress('the service worker does not control the page yet: reloading');
    reloaded = true;
    await page.reload({ waitUntil: 'commit' });
    marks = await probe<PageMarks>(page, 'waitFor', 'swControl', 60 * SECOND);
    if (marks.swControl === undefined) throw new Error('the service worker never took control of the page');
    await probe(page, 'waitFor', 'appShell', 2 * MINUTE);
  }
  const counts = await probe<{ t: string; n: number }[]>(
    page,
    'query',
    SYNCED_TABLES.map((t) => `select '${t}' as t, count(*)::int as n from ${t}_synced`).join(' union all '),
  );
  const storage = await probe<{ usage: number }>(page, 'storage');
  const idleRoundTrips = await probe<number[]>(page, 'roundTrips', 10, 500);
  const storageKinds = await probe<string[]>(page, 'storageKinds');
  return {
    loginForm: seconds(m.loginForm),
    signInToRows: m.firstRow === undefined ? undefined : (m.firstRow - m.submit) / SECOND,
    signInToSyncDone: (usable.syncDone - m.submit) / SECOND,
    signInToUsable: (usableAt - m.submit) / SECOND,
    navigationToUsable: usableAt / SECOND,
    rowsShown: usable.rowsShown,
    swControl,
    reloadedForServiceWorker: reloaded,
    syncedRows: Object.fromEntries(counts.map((c) => [c.t, c.n])),
    storageBytes: storage.usage,
    idleRoundTrips,
    storageKinds,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Offline cold start
// ---------------------------------------------------------------------------------------------

export interface ColdStart {
  /** Seconds since navigation start. */
  dbOpen: number | undefined;
  appShell: number | undefined;
  firstRow: number | undefined;
  /** What "usable" was: the part rows, or (no rows on the parts screen yet) the app shell. */
  usable: number;
  usableIs: 'part rows' | 'app shell';
  fromServiceWorker: boolean;
  partsLocal: number;
  /** The database worker's steps (client/src/db/startup-marks.ts), seconds since navigation start. */
  worker: Partial<Record<'workerStarted' | 'leaderLock' | 'pgliteOpen' | 'schemaReady', number>>;
}

export async function offlineColdStart(browser: OpenBrowser, network: NetworkSwitch, rowsExpected: boolean): Promise<ColdStart> {
  const { page, context } = browser;
  // Offline before anything loads: the pages (Chromium may keep navigator.onLine true) and, through
  // the relay, the workers too.
  network.setOnline(false);
  await context.setOffline(true);
  const response = await page.goto(`${network.url}/`, { waitUntil: 'commit' });
  const marks = await probe<PageMarks>(page, 'waitFor', rowsExpected ? 'firstRow' : 'appShell', 10 * MINUTE);
  const usable = rowsExpected ? marks.firstRow : marks.appShell;
  if (usable === undefined) throw new Error(`offline, the app did not show ${rowsExpected ? 'part rows' : 'its shell'} within 10 minutes`);
  const [local] = await probe<{ n: number }[]>(page, 'query', 'select count(*)::int as n from parts_synced');
  const worker = await probe<Record<string, number>>(page, 'workerStartup');
  return {
    worker: Object.fromEntries(Object.entries(worker).map(([step, ms]) => [step, ms / SECOND])),
    dbOpen: seconds(marks.dbOpen),
    appShell: seconds(marks.appShell),
    firstRow: seconds(marks.firstRow),
    usable: usable / SECOND,
    usableIs: rowsExpected ? 'part rows' : 'app shell',
    fromServiceWorker: response?.fromServiceWorker() ?? false,
    partsLocal: local?.n ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Search
// ---------------------------------------------------------------------------------------------

export interface SearchTerm {
  kind: 'part number' | 'prefix' | 'name word' | 'manufacturer';
  term: string;
}

/** Terms a storeroom person would type, taken from the generated parts (deterministic). */
export async function searchTerms(pool: pg.Pool, siteId: string, count: number): Promise<SearchTerm[]> {
  const { rows } = await pool.query<{ part_number: string; name: string; manufacturer: string | null }>(
    `select part_number, name, manufacturer from parts where site_id = $1 order by md5(id::text) limit 400`,
    [siteId],
  );
  const lists: Record<SearchTerm['kind'], string[]> = { 'part number': [], prefix: [], 'name word': [], manufacturer: [] };
  const add = (kind: SearchTerm['kind'], term: string) => {
    if (term && !lists[kind].includes(term)) lists[kind].push(term);
  };
  for (const row of rows) {
    add('part number', row.part_number);
    // PREFIX-SH-0001234 → PREFIX-SH-00012 (a hundred or so parts), then the family: PREFIX-SH-
    const cut = row.part_number.length - 2;
    add('prefix', lists.prefix.length % 2 === 0 ? row.part_number.slice(0, cut) : row.part_number.replace(/\d+$/, ''));
    for (const word of row.name.split(/[\s,/()-]+/)) if (/^[a-z]{4,}$/i.test(word)) add('name word', word.toLowerCase());
    if (row.manufacturer) add('manufacturer', row.manufacturer);
  }
  // Interleaved, so two terms in a row (almost) never have the same results.
  const kinds = Object.keys(lists) as SearchTerm['kind'][];
  const terms: SearchTerm[] = [];
  for (let i = 0; terms.length < count && i < 400; i++) {
    const kind = kinds[i % kinds.length]!;
    const term = lists[kind][Math.floor(i / kinds.length)];
    if (term !== undefined) terms.push({ kind, term });
  }
  return terms;
}

export interface SearchRun extends SearchTerm {
  /** Input event → the rows' last change, ms; undefined when the rows did not change or never settled. */
  latencyMs: number | undefined;
  /** Parts matching (the count line). */
  matches: number | null;
  settled: boolean;
}

export type SearchResult = { skipped: string } | { runs: SearchRun[]; quietMs: number; box: string };

/**
 * How long the rows must stay unchanged, with the count line no longer busy, before a result counts
 * as shown (the screen waits for a pause in typing, then runs the query).
 */
const SEARCH_QUIET_MS = 500;
const SEARCH_TIMEOUT_MS = 2 * MINUTE;

export async function searchLatency(page: Page, terms: SearchTerm[], progress: (m: string) => void): Promise<SearchResult> {
  let box = page.getByLabel('Search parts');
  let boxName = 'getByLabel("Search parts")';
  if (!(await box.first().isVisible({ timeout: 5 * SECOND }).catch(() => false))) {
    box = page.locator('input[type="search"]');
    boxName = 'input[type="search"]';
    if ((await box.count()) === 0) {
      return { skipped: 'the parts screen has no search box labelled "Search parts" (nor an input[type=search]) yet' };
    }
  }
  box = box.first();
  const runs: SearchRun[] = [];
  for (const [i, { kind, term }] of terms.entries()) {
    if (i % 10 === 0) progress(`search ${i + 1}–${Math.min(i + 10, terms.length)} of ${terms.length}`);
    await probe(page, 'armSearch');
    await box.fill(term);
    const outcome = await probe<SearchOutcome>(page, 'searchSettled', SEARCH_QUIET_MS, SEARCH_TIMEOUT_MS);
    const { inputAt, changes } = outcome;
    runs.push({
      kind,
      term,
      latencyMs: inputAt !== null && changes.length > 0 && outcome.settled ? changes.at(-1)! - inputAt : undefined,
      matches: outcome.matches,
      settled: outcome.settled,
    });
  }
  // Back to the whole list for what follows.
  await probe(page, 'armSearch');
  await box.fill('');
  await probe<SearchOutcome>(page, 'searchSettled', SEARCH_QUIET_MS, SEARCH_TIMEOUT_MS);
  return { runs, quietMs: SEARCH_QUIET_MS, box: boxName };
}

// ---------------------------------------------------------------------------------------------
// 4. The offline queue: record, reconnect, flush
// ---------------------------------------------------------------------------------------------

export interface FlushResult {
  /** Asked for. */
  commands: number;
  /** Tried within the time budget, and recorded of those. */
  tried: number;
  recorded: number;
  budgetSeconds: number;
  /** Recorded one after another first (all of them by default), then the rest this many at a time. */
  oneByOne: number;
  inFlight: number;
  parts: number;
  syncBarBefore: string | null;
  /** Per command, ms, in order. */
  recordMs: number[];
  recordSeconds: number;
  recordErrors: string[];
  outboxBefore: number;
  serverBefore: number;
  /** Seconds after going online. */
  firstRequest: number | undefined;
  /** POST /api/mutations requests until the end. */
  batches: number;
  firstOnServer: number | undefined;
  allOnServer: number | undefined;
  outboxEmpty: number | undefined;
  onServer: number;
  outboxLeft: number;
  refused: number;
}

export async function offlineQueue(
  browser: OpenBrowser,
  network: NetworkSwitch,
  pool: pg.Pool,
  siteId: string,
  queue: { commands: number; budgetSeconds: number; oneByOne: number; inFlight: number },
  hooks: { onRecord: () => void; onRecorded: () => void; onOnline: () => void },
  progress: (m: string) => void,
): Promise<FlushResult> {
  const { page, context } = browser;
  const { commands, budgetSeconds, oneByOne, inFlight } = queue;
  const { rows: parts } = await pool.query<{ id: string }>(
    `select id from parts where site_id = $1 order by md5(id::text) limit $2`,
    [siteId, Math.max(1, Math.min(500, Math.ceil(commands / 2)))],
  );
  const args = Array.from({ length: commands }, (_, i) => ({
    reason: 'used',
    movementId: uuidv7(),
    partId: parts[i % parts.length]!.id,
    delta: -1,
  }));
  let movementIds = args.map((a) => a.movementId);
  const onServer = async () =>
    (await pool.query<{ n: number }>('select count(*)::int as n from stock_movements where id = any($1::uuid[])', [movementIds])).rows[0]!.n;
  const outbox = async () => (await probe<{ n: number }[]>(page, 'query', 'select count(*)::int as n from outbox'))[0]!.n;
  // While the queue drains, the sync bar's count (the app's own live query) stands for the outbox:
  // polling the database would add work to the worker being timed. The database is asked at the end.
  const pending = async () => (await probe<number | null>(page, 'pending')) ?? (await outbox());

  const syncBarBefore = await page.locator('[data-testid="sync-bar"]').getAttribute('data-online', { timeout: 10 * SECOND }).catch(() => null);
  progress(
    `recording ${commands} stock.adjust commands offline (over ${parts.length} parts; ` +
      (oneByOne >= commands ? 'one after another' : `the first ${oneByOne} one after another, then ${inFlight} at a time`) +
      `; at most ${budgetSeconds} s)`,
  );
  hooks.onRecord();
  const started = performance.now();
  const recording = probe<RecordOutcome>(page, 'recordMany', args, budgetSeconds * SECOND, oneByOne, inFlight);
  let reporting = true;
  void recording.finally(() => (reporting = false)).catch(() => undefined);
  const report = setInterval(() => {
    void probe<{ n: number; last: number[] }>(page, 'recordedSoFar')
      .then(({ n, last }) => {
        if (reporting && n > 0) progress(`  ${n} of ${commands} recorded; the last ${last.length}: median ${median(last).toFixed(0)} ms`);
      })
      .catch(() => undefined);
  }, 30 * SECOND);
  const recorded = await recording.finally(() => clearInterval(report));
  const recordSeconds = (performance.now() - started) / SECOND;
  hooks.onRecorded();
  movementIds = args.filter((_, i) => recorded.ok[i]).map((a) => a.movementId);
  const expected = movementIds.length;
  if (recorded.durations.length < commands) {
    progress(`the time budget ran out: ${recorded.durations.length} of ${commands} commands tried, ${expected} recorded`);
  }
  const outboxBefore = await outbox();
  const serverBefore = await onServer();

  progress('back online: waiting for the queue to reach the server and the results to come back');
  hooks.onOnline();
  network.requests.length = 0;
  network.watch = true;
  const t0 = performance.now();
  network.setOnline(true);
  await context.setOffline(false);
  let firstOnServer: number | undefined;
  let allOnServer: number | undefined;
  let outboxEmpty: number | undefined;
  let serverCount = 0;
  let left = outboxBefore;
  const deadline = t0 + 10 * MINUTE;
  let lastReport = t0;
  while ((allOnServer === undefined || outboxEmpty === undefined) && performance.now() < deadline) {
    const [s, o] = await Promise.all([allOnServer === undefined ? onServer() : expected, outboxEmpty === undefined ? pending() : 0]);
    const now = (performance.now() - t0) / SECOND;
    serverCount = s;
    left = o;
    if (s > 0) firstOnServer ??= now;
    if (s >= expected) allOnServer ??= now;
    if (o === 0) outboxEmpty ??= now;
    if (performance.now() - lastReport > 15 * SECOND) {
      progress(`  ${now.toFixed(0)} s: ${s} on the server, ${o} still in the outbox`);
      lastReport = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  network.watch = false;
  if (outboxEmpty !== undefined) left = await outbox();
  const posts = network.requests.filter((r) => r.line === 'POST /api/mutations');
  const firstRequest = posts[0] ? (posts[0].at - t0) / SECOND : undefined;
  const [refused] = await probe<{ n: number }[]>(page, 'query', 'select count(*)::int as n from needs_attention');
  return {
    commands,
    tried: recorded.durations.length,
    recorded: expected,
    budgetSeconds,
    oneByOne,
    inFlight,
    parts: parts.length,
    syncBarBefore,
    recordMs: recorded.durations,
    recordSeconds,
    recordErrors: recorded.errors,
    outboxBefore,
    serverBefore,
    firstRequest,
    batches: posts.length,
    firstOnServer,
    allOnServer,
    outboxEmpty,
    onServer: serverCount,
    outboxLeft: left,
    refused: refused?.n ?? 0,
  };
}
