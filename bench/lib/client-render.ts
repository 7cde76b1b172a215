import type { ClientPhaseCost } from './client-cost.ts';
import type { ColdStart, FirstVisit, FlushResult, SearchResult } from './client-phases.ts';
import type { SeededYard } from './environment.ts';
import { fixed, heading, int, mb, percentile, table, type Cell } from './format.ts';
import type { MachineInfo } from './proc.ts';

/** One part count's figures. */
export interface CountResults {
  yard: SeededYard;
  firstVisit: FirstVisit;
  coldStart: ColdStart;
  search: SearchResult;
  flush: FlushResult;
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
      row('navigation → local database open (IndexedDB loaded), s', (c) => s(c.coldStart.dbOpen)),
      row('navigation → app shell (signed in, sync bar), s', (c) => s(c.coldStart.appShell)),
      row(`navigation → first part rows shown, s`, (c) => s(c.coldStart.firstRow)),
      row('app served by the service worker', (c) => (c.coldStart.fromServiceWorker ? 'yes' : 'no')),
      row('parts in the local database', (c) => int(c.coldStart.partsLocal)),
    ]),
  );
  if (r.counts.some((c) => c.coldStart.usableIs !== 'part rows')) out.push('Note: no part rows on the parts screen: the app shell stands for "usable".');

  out.push(...renderSearch(r, columns, row));
  out.push(...renderFlush(r, columns, row));
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
      `busy (aria-busy) and nothing changed for ${quiet} ms. The screen queries after a short pause in typing (SEARCH_DELAY_MS).`,
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
  const out = [
    heading(`4. Offline queue: ${int(n)} stock.adjust commands recorded offline, then the network back`),
    table(columns, [
      row('sync bar before recording (data-online)', (c) => c.flush.syncBarBefore ?? '–'),
      row(`commands recorded (of ${int(n)}; at most ${first?.budgetSeconds ?? 0} s of recording)`, (c) => int(c.flush.recorded)),
      row(`record one command, one after another (the first ${first?.oneByOne ?? 0}), p50 ms`, (c) => ms(percentile(oneByOne(c), 50))),
      row('record one command, one after another, p95 ms', (c) => ms(percentile(oneByOne(c), 95))),
      row(`record one command, ${first?.inFlight ?? 0} at a time (the rest), p50 / p95 ms`, (c) =>
        `${ms(percentile(inFlight(c), 50))} / ${ms(percentile(inFlight(c), 95))}`),
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
    ]),
    `Commands spread over ${first?.parts ?? 0} parts (two each). The network is cut for the pages (Playwright's setOffline) and ` +
      "for PGlite's worker too (a relay between browser and server that resets every connection). The uploader posts batches " +
      'of 100; a command leaves the outbox when its result comes back through the mutation_results shape.',
  ];
  for (const c of r.counts) {
    for (const e of c.flush.recordErrors) out.push(`  ${int(c.yard.parts)} parts: recording failed: ${e}`);
    if (c.flush.outboxLeft > 0 || c.flush.onServer < c.flush.recorded) {
      out.push(`  ${int(c.yard.parts)} parts: gave up after 10 minutes with ${c.flush.onServer} on the server and ${c.flush.outboxLeft} in the outbox`);
    }
  }
  return out;
}

function renderCosts(r: ClientResults): string[] {
  const out = [
    heading('5. CPU per phase'),
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
