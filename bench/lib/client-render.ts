import type { ClientPhaseCost } from './client-cost.ts';
import type { ColdStart, FirstVisit, FlushResult, SearchResult } from './client-phases.ts';
import type { SeededYard } from './environment.ts';
import { fixed, heading, int, mb, median, percentile, table, type Cell } from './format.ts';
import type { SnapshotFetch } from './initial-sync.ts';
import type { MachineInfo } from './proc.ts';
import { RAW_INSERTS, RAW_STORAGES, SEARCH_LIMIT, type RawResults, type RawStorage, type RawStorageResult } from './raw-pglite.ts';

/** One part count's figures. */
export interface CountResults {
  yard: SeededYard;
  firstVisit: FirstVisit;
  coldStart: ColdStart;
  search: SearchResult;
  flush: FlushResult;
  /** The raw PGlite limits measured in the same browser after the app's phases. */
  raw: RawResults;
  /** The server's snapshot of the parts alone (a new shape handle, so computed), or why not. */
  snapshot: SnapshotFetch | { error: string };
  serverProblems: Map<string, number>;
}

export interface ClientResults {
  machine: MachineInfo;
  browserVersion: string;
  chromiumPath: string;
  postgresVersion: string;
  build: string;
  loadBefore: number[];
  counts: CountResults[];
  costs: ClientPhaseCost[];
}

const s = (n: number | undefined, digits = 2) => (n === undefined ? '–' : fixed(n, digits));
const ms = (n: number | undefined) => (n === undefined ? '–' : fixed(n, 0));

export function renderClientReport(r: ClientResults): string {
  const { machine } = r;
  const columns = ['measure', ...r.counts.map((c) => `${int(c.yard.parts)} parts`)];
  const row = (label: string, cell: (c: CountResults) => Cell): Cell[] => [label, ...r.counts.map(cell)];
  const out = [
    heading('CIMCO Yard — tablet app in a browser (npm run bench:client)'),
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGb.toFixed(0)} GB RAM, Node ${machine.node}, ${machine.kernel}` +
      `; load average before the run ${r.loadBefore.map((l) => l.toFixed(1)).join(' / ')}`,
    `Browser: headless Chromium ${r.browserVersion} (${r.chromiumPath}), a real profile folder per part count, viewport 1280×800. ` +
      `Client: ${r.build}. Server: a separate process on PostgreSQL ${r.postgresVersion} (embedded), everything on this machine.`,
    `Data: a generated yard per part count (${r.counts
      .map((c) => `${int(c.yard.parts)} parts, ${int(c.yard.stockMovements)} stock movements, ${int(c.yard.equipment)} machines, ${int(c.yard.tasks)} tasks`)
      .join('; ')}), signed in as a storeroom user. Times are on the page's clock (performance.now()), ` +
      "not including Playwright's round trips.",
  ];

  out.push(...renderSummary(r));

  out.push(heading('1. First visit (empty profile, online): sign in until the parts are usable'));
  out.push(
    table(columns, [
      row('navigation → login form shown, s', (c) => s(c.firstVisit.loginForm)),
      row('sign-in → first part rows shown, s', (c) => s(c.firstVisit.signInToRows)),
      row('sign-in → initial sync done (every part in PGlite), s', (c) => s(c.firstVisit.signInToSyncDone)),
      row('sign-in → usable (rows shown and sync done), s', (c) => s(c.firstVisit.signInToUsable)),
      row('navigation → usable (with the bench typing), s', (c) => s(c.firstVisit.navigationToUsable)),
      row('rows synced, all tables', (c) => int(Object.values(c.firstVisit.syncedRows).reduce((a, b) => a + b, 0))),
      row('origin storage after the sync (IndexedDB + caches), MB', (c) => mb(c.firstVisit.storageBytes)),
      row("then idle: 'select 1' through the worker, p50 / max ms", (c) => {
        const sorted = [...c.firstVisit.idleRoundTrips].sort((a, b) => a - b);
        return `${ms(percentile(sorted, 50))} / ${ms(sorted.at(-1))}`;
      }),
      row('service worker controls the page, s after navigation', (c) =>
        c.firstVisit.reloadedForServiceWorker ? 'after a reload' : s(c.firstVisit.swControl)),
    ]),
  );
  const synced = r.counts[r.counts.length - 1]?.firstVisit.syncedRows ?? {};
  out.push(`Rows per table (${int(r.counts.at(-1)?.yard.parts ?? 0)} parts): ${Object.entries(synced).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${int(n)}`).join(', ')}.`);
  if (r.counts.some((c) => !c.firstVisit.rowsShown)) {
    out.push('Note: the parts screen showed no [data-testid="part-row"]: "usable" is the sync alone.');
  }

  out.push(heading('2. Offline cold start (browser closed and restarted, network off)'));
  out.push(
    table(columns, [
      row('navigation → database worker running, s', (c) => s(c.coldStart.worker.workerStarted)),
      row('… → leader lock held, s', (c) => s(c.coldStart.worker.leaderLock)),
      row('… → PGlite open (files, wasm, extensions), s', (c) => s(c.coldStart.worker.pgliteOpen)),
      row('… → local schema checked, s', (c) => s(c.coldStart.worker.schemaReady)),
      row('navigation → local database open (the page has its first answer), s', (c) => s(c.coldStart.dbOpen)),
      row('navigation → app shell (signed in, sync bar), s', (c) => s(c.coldStart.appShell)),
      row(`navigation → first part rows shown, s`, (c) => s(c.coldStart.firstRow)),
      row('app served by the service worker', (c) => (c.coldStart.fromServiceWorker ? 'yes' : 'no')),
      row('parts in the local database', (c) => int(c.coldStart.partsLocal)),
    ]),
  );
  if (r.counts.some((c) => c.coldStart.usableIs !== 'part rows')) out.push('Note: no part rows on the parts screen: the app shell stands for "usable".');

  out.push(...renderSearch(r, columns, row));
  out.push(...renderFlush(r, columns, row));
  out.push(...renderRaw(r));
  out.push(...renderCosts(r));
  for (const c of r.counts) {
    if (c.serverProblems.size === 0) continue;
    out.push(`\nThe server logged during the ${int(c.yard.parts)}-part run (LOG_LEVEL=warn):`);
    for (const [message, count] of c.serverProblems) out.push(`  ${count}× ${message}`);
  }
  return out.join('\n');
}

type RowFn = (label: string, cell: (c: CountResults) => Cell) => Cell[];

function renderSearch(r: ClientResults, columns: string[], row: RowFn): string[] {
  const out = [heading('3. Search latency (offline, after the cold start)')];
  const skipped = r.counts.find((c) => 'skipped' in c.search)?.search;
  if (skipped && 'skipped' in skipped) {
    out.push(`Skipped: ${skipped.skipped}.`);
    return out;
  }
  const runs = (c: CountResults) => ('runs' in c.search ? c.search.runs : []);
  const latencies = (c: CountResults) => runs(c).flatMap((x) => (x.latencyMs === undefined ? [] : [x.latencyMs])).sort((a, b) => a - b);
  const first = r.counts.find((c) => 'runs' in c.search)?.search;
  const quiet = first && 'runs' in first ? first.quietMs : 0;
  out.push(
    `Each term is filled into the search box (${first && 'runs' in first ? first.box : ''}) in one input event; the time runs from ` +
      "that event to the part rows' last change (the count line, the first rows' part numbers), once the count line is no longer " +
      `busy (aria-busy) and nothing changed for ${quiet} ms. The screen queries on the next animation frame after the input.`,
    table(columns, [
      row('terms (part numbers, prefixes, name words, makers)', (c) => runs(c).length),
      row('input → rows settled, p50 ms', (c) => ms(percentile(latencies(c), 50))),
      row('input → rows settled, p95 ms', (c) => ms(percentile(latencies(c), 95))),
      row('input → rows settled, max ms', (c) => ms(latencies(c).at(-1))),
      row('terms whose rows did not change or never settled (not counted)', (c) => runs(c).filter((x) => x.latencyMs === undefined).length),
    ]),
  );
  const last = r.counts.at(-1);
  if (last && 'runs' in last.search) {
    out.push(`Per term (${int(last.yard.parts)} parts): ` + last.search.runs.map((x) => `${x.term} → ${x.matches ?? '?'} parts, ${ms(x.latencyMs)} ms`).join('; '));
  }
  return out;
}

function renderFlush(r: ClientResults, columns: string[], row: RowFn): string[] {
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const oneByOne = (c: CountResults) => sorted(c.flush.recordMs.slice(0, c.flush.oneByOne));
  const inFlight = (c: CountResults) => sorted(c.flush.recordMs.slice(c.flush.oneByOne));
  const first = r.counts[0]?.flush;
  const n = first?.commands ?? 0;
  const allOneByOne = r.counts.every((c) => c.flush.oneByOne >= c.flush.commands);
  const oneByOneLabel = allOneByOne ? 'one after another (all)' : `one after another (the first ${first?.oneByOne ?? 0})`;
  const rows: Cell[][] = [
    row('sync bar before recording (data-online)', (c) => c.flush.syncBarBefore ?? '–'),
    row(`commands recorded (of ${int(n)}; at most ${first?.budgetSeconds ?? 0} s of recording)`, (c) => int(c.flush.recorded)),
    row(`record one command, ${oneByOneLabel}, p50 ms`, (c) => ms(percentile(oneByOne(c), 50))),
    row(`record one command, ${oneByOneLabel}, p95 ms`, (c) => ms(percentile(oneByOne(c), 95))),
  ];
  if (r.counts.some((c) => c.flush.recordMs.length > c.flush.oneByOne)) {
    rows.push(
      row(`record one command, ${first?.inFlight ?? 0} at a time (the rest), p50 / p95 ms`, (c) =>
        `${ms(percentile(inFlight(c), 50))} / ${ms(percentile(inFlight(c), 95))}`),
    );
  }
  rows.push(
    row('recording, s in all', (c) => s(c.flush.recordSeconds, 1)),
    row('in the outbox / on the server before reconnecting', (c) => `${c.flush.outboxBefore} / ${c.flush.serverBefore}`),
    row('online → first POST /api/mutations, s', (c) => s(c.flush.firstRequest)),
    row('POST /api/mutations requests', (c) => c.flush.batches),
    row('online → first command on the server, s', (c) => s(c.flush.firstOnServer)),
    row('online → all recorded on the server, s', (c) => s(c.flush.allOnServer)),
    row('online → outbox empty (results synced back), s', (c) => s(c.flush.outboxEmpty)),
    row('commands/s, first → last on the server', (c) =>
      c.flush.allOnServer !== undefined && c.flush.firstOnServer !== undefined && c.flush.allOnServer > c.flush.firstOnServer
        ? int(c.flush.recorded / (c.flush.allOnServer - c.flush.firstOnServer))
        : '–'),
    row('refused (Needs attention)', (c) => c.flush.refused),
  );
  const out = [
    heading(`4. Offline queue: ${int(n)} stock.adjust commands recorded offline, then the network back`),
    table(columns, rows),
    `Commands spread over ${first?.parts ?? 0} parts (two each). The network is cut for the pages (Playwright's setOffline) and ` +
      "for PGlite's worker too (a relay between browser and server that resets every connection). The uploader posts batches " +
      'of 100; a command leaves the outbox when its result comes back through the mutation_results shape.',
    '',
    'Outbox growth: the time to record command n as the outbox fills (the median of n and its neighbours), ms',
    table(columns, growthRows(r, row)),
  ];
  if (!allOneByOne) out.push('* some of these commands were recorded several at a time (--in-flight), not one after another.');
  for (const c of r.counts) {
    for (const e of c.flush.recordErrors) out.push(`  ${int(c.yard.parts)} parts: recording failed: ${e}`);
    if (c.flush.outboxLeft > 0 || c.flush.onServer < c.flush.recorded) {
      out.push(`  ${int(c.yard.parts)} parts: gave up after 10 minutes with ${c.flush.onServer} on the server and ${c.flush.outboxLeft} in the outbox`);
    }
  }
  return out;
}

/** Commands 1, 100, 500, 1,000 (and on, as far as asked for): windows 1–5, 96–105, 496–505, … 996–1,000. */
export function growthWindows(commands: number): { n: number; from: number; to: number }[] {
  const points = [1, 100, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000].filter((p) => p <= commands);
  return points.map((p) => (p === 1 ? { n: 1, from: 1, to: Math.min(5, commands) } : { n: p, from: p - 4, to: Math.min(p + 5, commands) }));
}

function growthRows(r: ClientResults, row: RowFn): Cell[][] {
  const windowCell = (c: CountResults, from: number, to: number): Cell => {
    const times = c.flush.recordMs.slice(from - 1, to);
    if (times.length === 0) return '–';
    const flagged = to > c.flush.oneByOne && c.flush.recordMs.length > c.flush.oneByOne ? '*' : '';
    return `${ms(median(times))}${flagged}`;
  };
  const rows = growthWindows(r.counts[0]?.flush.commands ?? 0).map(({ n, from, to }) =>
    row(`command ${int(n)} (${int(from)}–${int(to)})`, (c) => windowCell(c, from, to)),
  );
  rows.push(
    row('the last 10 recorded', (c) => {
      const tried = c.flush.recordMs.length;
      if (tried === 0) return '–';
      return `${windowCell(c, Math.max(1, tried - 9), tried)} (${int(Math.max(1, tried - 9))}–${int(tried)})`;
    }),
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The app beside its limits
// ---------------------------------------------------------------------------------------------

/** ms with the digits a figure of its size deserves. */
const msFigure = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n < 10 ? fixed(n, 1) : fixed(n, 0));
const p = (values: number[], q: number) => percentile([...values].sort((a, b) => a - b), q);
const ratio = (app: number | undefined, raw: number | undefined) => {
  if (app === undefined || raw === undefined || !Number.isFinite(app) || !Number.isFinite(raw) || raw <= 0) return '–';
  const x = app / raw;
  return `${x >= 10 ? fixed(x, 0) : fixed(x, 1)}×`;
};

/** The storage kind the app's database is on (OPFS if both are there), from what its origin holds. */
function appStorage(c: CountResults): RawStorage | undefined {
  const kinds = c.firstVisit.storageKinds;
  return RAW_STORAGES.find((k) => kinds.includes(k));
}

function rawOf(c: CountResults, storage: RawStorage): RawStorageResult | undefined {
  return c.raw.storages.find((x) => x.storage === storage);
}

const snapshotSeconds = (c: CountResults) => ('error' in c.snapshot ? undefined : c.snapshot.total);

/** Raw figures in the units of the summary rows (ms or s); undefined where not measured. */
const RAW_LIMIT = {
  idle: (x: RawStorageResult) => (x.selectRoundTrip.length ? p(x.selectRoundTrip, 50) : undefined),
  recordP50: (x: RawStorageResult) => (x.inserts.length ? p(x.inserts.map((i) => i.ms), 50) : undefined),
  recordP95: (x: RawStorageResult) => (x.inserts.length ? p(x.inserts.map((i) => i.ms), 95) : undefined),
  searchP95: (x: RawStorageResult) => (x.searches.length ? p(x.searches.map((i) => i.ms), 95) : undefined),
  coldStart: (x: RawStorageResult) => (x.newWorker ? (x.newWorker.ms + x.newWorker.firstPageMs) / 1000 : undefined),
  load: (x: RawStorageResult, c: CountResults) =>
    x.copy && x.index ? (snapshotSeconds(c) ?? 0) + (x.copy.ms + x.index.ms) / 1000 : undefined,
};

interface SummaryRow {
  label: string;
  target: string;
  /** The target as a bound on the same unit. */
  bound: number;
  app: (c: CountResults) => number | undefined;
  raw?: (x: RawStorageResult, c: CountResults) => number | undefined;
  format: (n: number | undefined) => string;
  limit: string;
}

function summaryRows(c: CountResults): SummaryRow[] {
  const oneByOne = c.flush.recordMs.slice(0, c.flush.oneByOne);
  const searchMs = 'runs' in c.search ? c.search.runs.flatMap((x) => (x.latencyMs === undefined ? [] : [x.latencyMs])) : [];
  const secs = (n: number | undefined) => s(n);
  const snap = snapshotSeconds(c);
  return [
    {
      label: 'idle query (select 1 through the worker), p50 ms',
      target: '≤ 1',
      bound: 1,
      app: () => (c.firstVisit.idleRoundTrips.length ? p(c.firstVisit.idleRoundTrips, 50) : undefined),
      raw: RAW_LIMIT.idle,
      format: msFigure,
      limit: 'select 1, page → worker → page',
    },
    {
      label: 'record one command (one after another), p50 ms',
      target: '≤ 20',
      bound: 20,
      app: () => (oneByOne.length ? p(oneByOne, 50) : undefined),
      raw: RAW_LIMIT.recordP50,
      format: msFigure,
      limit: 'one INSERT, committed and flushed, page → worker → page',
    },
    {
      label: 'record one command (one after another), p95 ms',
      target: '≤ 50',
      bound: 50,
      app: () => (oneByOne.length ? p(oneByOne, 95) : undefined),
      raw: RAW_LIMIT.recordP95,
      format: msFigure,
      limit: 'the same, p95',
    },
    {
      label: 'search, input → rows settled, p95 ms',
      target: '≤ 16',
      bound: 16,
      app: () => (searchMs.length ? p(searchMs, 95) : undefined),
      raw: RAW_LIMIT.searchP95,
      format: msFigure,
      limit: `trigram-indexed ilike, ${SEARCH_LIMIT} rows + count, p95`,
    },
    {
      label: 'offline cold start → part rows shown, s',
      target: '≤ 2',
      bound: 2,
      app: () => c.coldStart.usable,
      raw: RAW_LIMIT.coldStart,
      format: secs,
      limit: `new worker → the database opened → first ${SEARCH_LIMIT} parts`,
    },
    {
      label: 'first visit: sign-in → usable, s',
      target: '≤ 8',
      bound: 8,
      app: () => c.firstVisit.signInToUsable,
      raw: RAW_LIMIT.load,
      format: secs,
      limit: `${snap === undefined ? '(no server snapshot) ' : `server's snapshot ${s(snap)} s + `}COPY of the parts + indexes`,
    },
    {
      label: `${int(c.flush.recorded)} commands: online → outbox empty, s`,
      target: '≤ 5 (1,000)',
      bound: 5,
      app: () => c.flush.outboxEmpty,
      format: secs,
      limit: '–',
    },
  ];
}

function renderSummary(r: ClientResults): string[] {
  const out = [heading('Summary: the app beside the raw PGlite limit measured in the same browser run, and the targets')];
  for (const c of r.counts) {
    const own = appStorage(c);
    // The app's storage kind first, then the others measured.
    const kinds = [...c.raw.storages.map((x) => x.storage)].sort((a, b) => Number(b === own) - Number(a === own));
    const header = ['measure', 'target', 'app', 'within'];
    for (const k of kinds) header.push(`raw ${k}://${k === own ? ' (app\'s)' : ''}`, 'app ÷ raw');
    header.push('the raw limit');
    const rows = summaryRows(c).map((x): Cell[] => {
      const app = x.app(c);
      const cells: Cell[] = [x.label, x.target, x.format(app), app === undefined || !Number.isFinite(app) ? '–' : app <= x.bound ? 'yes' : 'no'];
      for (const k of kinds) {
        const raw = rawOf(c, k);
        const value = raw && x.raw ? x.raw(raw, c) : undefined;
        cells.push(x.raw ? x.format(value) : '–', x.raw ? ratio(app, value) : '–');
      }
      cells.push(x.limit);
      return cells;
    });
    out.push(
      `\n${int(c.yard.parts)} parts — the app's database is on ${own ? `${own}://` : 'a storage the bench did not recognise'}` +
        ` (${c.firstVisit.storageKinds.length ? c.firstVisit.storageKinds.map((k) => `${k}://`).join(' and ') : 'neither PGlite in IndexedDB nor in OPFS'} found in its origin)`,
      table(header, rows),
    );
    for (const x of c.raw.storages) if (x.error) out.push(`  raw ${x.storage}:// failed: ${x.error}`);
    if ('error' in c.snapshot) out.push(`  the server's snapshot alone failed: ${c.snapshot.error}`);
  }
  out.push(
    "Targets as set in the issue; 'within': the app's figure meets its target. The raw figures come from the same browser " +
      'after the app\'s phases (section 5); app ÷ raw is how far the app is from what PGlite itself does on that storage. ' +
      "The app's search figure includes the frame the screen waits after typing and the rows' rendering.",
  );
  return out;
}

function renderRaw(r: ClientResults): string[] {
  const out = [heading('5. Raw PGlite limits (same browser, after the app\'s phases)')];
  const first = r.counts[0]?.raw;
  out.push(
    `PGlite ${first?.pgliteVersion ?? '?'} with pg_trgm in a dedicated module worker (new Worker(url, { type: 'module' }), as the app ` +
      'starts its database), driven from a second page of the same browser on its own origin (a small HTTP server on 127.0.0.1; ' +
      "its OPFS and IndexedDB are not the app's). One postMessage per operation, timed on the page's clock from the message to " +
      `the answer, and inside the worker. The cluster as the app makes it (initdb ${first?.initdbArgs.join(' ') ?? ''}); ` +
      "relaxedDurability off, PGlite's flush after every query replaced by one where durability is measured (inserts, COPY, " +
      'indexes) and none after reads. The same parts as the app (CSV from the bench\'s PostgreSQL) in a table with the ' +
      "server's columns plus search = lower(part_number || ' ' || name || ' ' || coalesce(manufacturer, '')), a GIN " +
      'gin_trgm_ops index on it and a btree on part_number; the search terms are the app\'s, each once (as the app\'s ' +
      'phase types them), then all once more.',
  );
  const columns: { c: CountResults; x: RawStorageResult }[] = r.counts.flatMap((c) => c.raw.storages.map((x) => ({ c, x })));
  const header = ['measure', ...columns.map(({ c, x }) => `${int(c.yard.parts)}, ${x.storage}://`)];
  const line = (label: string, cell: (x: RawStorageResult, c: CountResults) => Cell): Cell[] => [label, ...columns.map(({ c, x }) => cell(x, c))];
  const pair = (values: number[]) => (values.length ? `${msFigure(p(values, 50))} / ${msFigure(p(values, 95))}` : '–');
  const window = (values: number[], from: number, to: number) => (values.length >= from ? msFigure(median(values.slice(from - 1, to))) : '–');
  const sec = (ms: number | undefined) => (ms === undefined ? '–' : s(ms / 1000));
  out.push(
    table(header, [
      line('new database: new worker → initdb → select 1, s', (x) => sec(x.create?.ms)),
      line('postMessage page → worker → page (echo), p50 ms', (x) => msFigure(x.echo.length ? p(x.echo, 50) : undefined)),
      line('select 1 inside the worker, p50 / p95 ms', (x) => pair(x.selectInWorker)),
      line('select 1 page → worker → page, p50 / p95 ms', (x) => pair(x.selectRoundTrip)),
      line(`durable INSERT (${RAW_INSERTS}, one after another), p50 / p95 ms`, (x) => pair(x.inserts.map((i) => i.ms))),
      line('… of which the INSERT / the flush, p50 ms', (x) =>
        x.inserts.length ? `${msFigure(median(x.inserts.map((i) => i.worker.statementMs)))} / ${msFigure(median(x.inserts.map((i) => i.worker.flushMs)))}` : '–'),
      line(`durable INSERT 1–5 / ${RAW_INSERTS - 9}–${RAW_INSERTS}, median ms`, (x) => {
        const times = x.inserts.map((i) => i.ms);
        return `${window(times, 1, 5)} / ${window(times, RAW_INSERTS - 9, RAW_INSERTS)}`;
      }),
      line(`search, ${SEARCH_LIMIT} rows + count, page → worker → page, p50 / p95 ms`, (x) => pair(x.searches.map((i) => i.ms))),
      line('… inside the worker, p50 / p95 ms', (x) => pair(x.searches.map((i) => i.worker.ms))),
      line('… the same terms again, page → worker → page, p50 / p95 ms', (x) => pair(x.searchesAgain)),
      line('COPY of the parts (CSV), s (the COPY / the flush)', (x) =>
        x.copy ? `${sec(x.copy.ms)} (${sec(x.copy.worker.statementMs)} / ${sec(x.copy.worker.flushMs)})` : '–'),
      line('index build (GIN trigram, btree, analyze), s (build / flush)', (x) =>
        x.index ? `${sec(x.index.ms)} (${sec(x.index.worker.statementMs)} / ${sec(x.index.worker.flushMs)})` : '–'),
      line('close, s', (x) => sec(x.reopen?.closeMs)),
      line('open again in the same worker → select 1, s', (x) => sec(x.reopen?.ms)),
      line('new worker → open → select 1, s', (x) => sec(x.newWorker?.ms)),
      line(`… then the first ${SEARCH_LIMIT} parts read, ms`, (x) => msFigure(x.newWorker?.firstPageMs)),
      line('parts there after opening again', (x) => (x.newWorker ? int(x.newWorker.parts) : '–')),
      line('storage the database took (the origin\'s use, before → after), MB', (x) => (x.storageBytes === undefined ? '–' : mb(x.storageBytes))),
    ]),
  );
  const counts = r.counts.map((c) => {
    const searches = c.raw.storages.find((x) => x.searches.length > 0)?.searches ?? [];
    const matches = searches.map((x) => x.worker.count);
    return `${int(c.yard.parts)} parts: ${mb(c.raw.csvBytes)} MB of CSV; the terms matched ${matches.length ? `${int(Math.min(...matches))}–${int(Math.max(...matches))}` : '–'} parts`;
  });
  out.push(`${counts.join('; ')}.`);
  const snapshots = r.counts.map((c) =>
    'error' in c.snapshot
      ? `${int(c.yard.parts)} parts: failed (${c.snapshot.error})`
      : `${int(c.yard.parts)} parts: ${s(c.snapshot.total)} s (first byte ${s(c.snapshot.ttfb)} s), ${int(c.snapshot.messages)} messages, ${mb(c.snapshot.bytes)} MB`,
  );
  out.push(`The server's snapshot of the parts alone (GET /v1/shape?table=parts&offset=-1&replica=full from the bench, a new shape handle: computed): ${snapshots.join('; ')}.`);
  for (const c of r.counts) {
    for (const x of c.raw.storages) {
      if (x.error) out.push(`  ${int(c.yard.parts)} parts, ${x.storage}://: failed: ${x.error}`);
      if (x.newWorker && x.newWorker.parts !== c.raw.parts) out.push(`  ${int(c.yard.parts)} parts, ${x.storage}://: ${int(x.newWorker.parts)} parts after opening again, of ${int(c.raw.parts)}`);
    }
  }
  return out;
}

function renderCosts(r: ClientResults): string[] {
  const out = [
    heading('6. CPU per phase'),
    'CPU seconds (1.0 per wall second = one core busy). browser: Chromium\'s whole process tree; other: the rest of the machine ' +
      '(other processes, the kernel) — if it is large, the run was disturbed.',
    table(
      ['parts', 'phase', 'wall s', 'browser CPU s', 'server CPU s', 'PostgreSQL CPU s', 'bench CPU s', 'other CPU s'],
      r.costs.map((p) => [int(p.parts), p.name, fixed(p.seconds, 1), fixed(p.browser, 1), fixed(p.server, 1), fixed(p.postgres, 1), fixed(p.bench, 1), fixed(p.other, 1)]),
    ),
  ];
  const disturbed = r.costs.filter((p) => p.seconds > 1 && p.other / p.seconds > 0.25);
  if (disturbed.length > 0) {
    out.push(
      `\nWarning: other work kept ${disturbed.map((p) => fixed(p.other / p.seconds, 1)).join(', ')} cores busy during ` +
        `${disturbed.length} of ${r.costs.length} phases: those figures are disturbed; rerun on a quiet machine.`,
    );
  }
  return out;
}
