import type { SeededYard } from './environment.ts';
import type { FanOutResult } from './fanout.ts';
import type { SnapshotFetch, SyncRun } from './initial-sync.ts';
import type { MachineInfo, PhaseCost } from './proc.ts';
import { fixed, heading, int, mb, percentile, table } from './format.ts';

/** Everything `bench/shapes.ts` measured, for the printed report. */
export interface Results {
  machine: MachineInfo;
  yard: SeededYard;
  postgresVersion: string;
  serverPid: number;
  /** pglite-sync with the server computing the snapshot (the first tablet). */
  sync: SyncRun;
  coldSnapshot: SnapshotFetch;
  cachedSnapshot: SnapshotFetch;
  /** pglite-sync again once the snapshot is cached, per initialInsertMethod. */
  cachedSyncs: SyncRun[];
  copy: { seconds: number; rows: number; csvRows: number; csvBytes: number };
  writes: number;
  intervalMs: number;
  rounds: FanOutResult[];
  phases: PhaseCost[];
  serverProblems: Map<string, number>;
}

export function renderReport(r: Results): string {
  const { machine, yard } = r;
  return [
    heading('CIMCO Yard — shape benchmarks (npm run bench:shapes)'),
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGb.toFixed(0)} GB RAM, Node ${machine.node}, ${machine.kernel}`,
    `Data: ${int(yard.parts)} parts, ${int(yard.equipment)} machines, ${int(yard.stockMovements)} stock movements ` +
      `(generated in ${fixed(yard.seconds)} s); PostgreSQL ${r.postgresVersion} (embedded); the server is a separate ` +
      `process on it (pid ${r.serverPid}), everything on this machine.`,
    ...initialSync(r),
    ...fanOut(r),
    ...costs(r),
  ].join('\n');
}

function initialSync(r: Results): string[] {
  const { sync, copy, coldSnapshot: cold, cachedSnapshot: cached } = r;
  const out = [
    heading(`1. Initial sync of ${int(r.yard.parts)} parts into PGlite (in-memory, in Node)`),
    table(
      ['method', 'rows', 'seconds', 'rows/s'],
      [
        ['pglite-sync syncShapesToTables, start → onInitialSync', int(sync.rows), fixed(sync.seconds, 2), int(sync.rows / sync.seconds)],
        [`PGlite COPY FROM '/dev/blob' (csv, ${mb(copy.csvBytes)} MB)`, int(copy.rows), fixed(copy.seconds, 2), int(copy.rows / copy.seconds)],
        ['ratio sync / copy', '', `${fixed(sync.seconds / copy.seconds, 1)}×`, ''],
      ],
    ),
    '',
    table(
      ['server snapshot response alone', 'messages', 'MB', 'MB on the wire', 'first byte s', 'total s'],
      [
        ['GET /v1/shape?table=parts&offset=-1 (new handle: computed)', int(cold.messages), mb(cold.bytes), mb(cold.wireBytes), fixed(cold.ttfb, 2), fixed(cold.total, 2)],
        ['the same again (snapshot cached for the handle)', int(cached.messages), mb(cached.bytes), mb(cached.wireBytes), fixed(cached.ttfb, 2), fixed(cached.total, 2)],
      ],
    ),
  ];
  for (const f of [cold, cached]) {
    if (f.retriedAfter) out.push(`(a snapshot GET failed before any response and was retried once: ${f.retriedAfter})`);
  }
  if (cold.encoding) out.push(`(sent with content-encoding ${cold.encoding}: ${fixed(cold.bytes / cold.wireBytes, 1)}× smaller on the wire)`);
  out.push('', `Where the ${fixed(sync.seconds, 2)} s of the pglite-sync run go (from its HTTP requests' timings):`);
  out.push(table(['step', 'seconds'], breakdown(sync)));
  if (r.cachedSyncs.length > 0) {
    out.push('', "The same sync once the server has the snapshot cached (any later tablet), by pglite-sync's initialInsertMethod:");
    out.push(
      table(
        ['initialInsertMethod', 'rows', 'seconds', 'rows/s', 'bench busy s', '× copy'],
        r.cachedSyncs.map((run) => [
          `'${run.method}'${run.method === 'insert' ? ' (default)' : ''}`,
          int(run.rows),
          fixed(run.seconds, 2),
          int(run.rows / run.seconds),
          fixed(run.busySeconds, 2),
          `${fixed(run.seconds / copy.seconds, 1)}×`,
        ]),
      ),
    );
  }
  const counts = [r.yard.parts, copy.csvRows, copy.rows, sync.rows, ...r.cachedSyncs.map((s) => s.rows)];
  if (counts.some((n) => n !== r.yard.parts)) {
    out.push(`Note: row counts differ — generated, CSV, copied, synced…: ${counts.join(', ')}.`);
  }
  return out;
}

/**
 * The sync's time, step by step. pglite-sync's client prefetches the catch-up request as soon as
 * the snapshot has arrived, but only sees its (tiny) answer once its event loop is free again:
 * after parsing the snapshot. It applies the rows when that answer says up-to-date.
 */
function breakdown(sync: SyncRun): [string, string][] {
  const snapshot = sync.requests.find((r) => r.label === 'offset=-1');
  const last = sync.requests.at(-1);
  if (!snapshot || !last) return [['(no requests recorded)', fixed(sync.seconds, 2)]];
  const s = (ms: number) => fixed(ms / 1000, 2);
  const rows: [string, string][] = [
    ['set-up (metadata tables) until the snapshot request', s(snapshot.started)],
    [`server: snapshot request → first byte (${mb(snapshot.bytes)} MB of JSON)`, s(snapshot.headers - snapshot.started)],
    ['transfer: first byte → last byte', s(snapshot.done - snapshot.headers)],
  ];
  if (last !== snapshot) {
    rows.push([`client: parse and buffer the snapshot (until the ${last.label} answer is seen)`, s(last.headers - snapshot.done)]);
  }
  rows.push([`PGlite: apply the rows ('${sync.method}'), until onInitialSync`, s(sync.seconds * 1000 - last.done)]);
  rows.push([`(bench event loop busy in total: ${fixed(sync.busySeconds, 2)} s)`, '']);
  return rows;
}

function fanOut(r: Results): string[] {
  const out = [
    heading('2. Write → client latency, live clients on one shape'),
    `Shape: parts where part_number like '%-000k__' (${r.rounds[0]?.shapeRows ?? 0} rows; one handle per round), ` +
      `@electric-sql/client ShapeStreams in the bench process; ${r.writes} single-row UPDATEs, each its own ` +
      `transaction, ${r.intervalMs} ms apart. Latency = COMMIT acknowledged → the client's subscriber gets the change.`,
    table(
      ['clients', 'live', 'all live after s', 'live requests at writes', 'server TCP conns', 'received', 'p50 ms', 'p99 ms', 'max ms', 'last client/write p50 ms', 'server CPU ms / client / write'],
      r.rounds.map((round) => {
        const sorted = [...round.latencies].sort((a, b) => a - b);
        const last = [...round.lastClient].sort((a, b) => a - b);
        const [low, high] = round.inFlightAtWrites;
        return [
          round.clients,
          round.sse ? 'SSE' : 'long-poll',
          fixed(round.connectSeconds, 2),
          low === high ? `${low}` : `${low}–${high}`,
          round.tcpConnections,
          `${int(round.receivedPairs)} / ${int(round.expectedPairs)}`,
          fixed(percentile(sorted, 50), 1),
          fixed(percentile(sorted, 99), 1),
          fixed(sorted.at(-1) ?? Number.NaN, 1),
          fixed(percentile(last, 50), 1),
          fixed((1000 * round.writePhase.serverCpu) / (round.clients * r.writes), 3),
        ];
      }),
    ),
  ];
  for (const round of r.rounds) {
    const unexpected = [...round.statuses].filter(([status]) => status !== 200);
    if (unexpected.length > 0 || round.mustRefetches > 0) {
      const list = [...round.statuses].map(([status, n]) => `${int(n)}× ${status}`).join(', ');
      out.push(`  ${round.clients} clients (${round.sse ? 'SSE' : 'long-poll'}): responses during the writes: ${list}; must-refetch messages: ${round.mustRefetches}`);
    }
    for (const e of round.errors.slice(0, 5)) out.push(`  ${round.clients} clients (${round.sse ? 'SSE' : 'long-poll'}): ${e}`);
  }
  out.push(
    "Live requests: long-polls waiting or SSE streams open, counted in the clients' fetch just before each write. Server TCP conns: established\n" +
      'connections on its port before the first write, idle keep-alive ones included. The clients run in the bench\n' +
      'process on the same cores as the server and PostgreSQL: the latencies include their CPU (see 3).',
  );
  return out;
}

function costs(r: Results): string[] {
  const out = [
    heading('3. Server cost per phase'),
    'CPU in seconds (1.0 s per wall second = one core busy). RSS sampled every 100 ms from /proc. "other": the rest\n' +
      'of the machine (other processes, kernel work) — if it is large, the run was disturbed.',
    table(
      ['phase', 'wall s', 'server CPU s', 'server CPU %', 'server peak RSS MB', 'PostgreSQL CPU s', 'bench (clients) CPU s', 'other CPU s'],
      r.phases.map((p) => [
        p.name,
        fixed(p.seconds, 1),
        fixed(p.serverCpu, 2),
        `${fixed((100 * p.serverCpu) / p.seconds, 0)}%`,
        mb(p.serverPeakRss),
        fixed(p.postgresCpu, 2),
        fixed(p.benchCpu, 2),
        fixed(p.otherCpu, 2),
      ]),
    ),
  ];
  const disturbed = r.phases.filter((p) => p.otherCpu / p.seconds > 0.25);
  if (disturbed.length > 0) {
    out.push(
      `\nWarning: other processes kept ${disturbed.map((p) => fixed(p.otherCpu / p.seconds, 1)).join(', ')} cores busy ` +
        `during ${disturbed.length} of ${r.phases.length} phases: these figures are disturbed; rerun on a quiet machine.`,
    );
  }
  if (r.serverProblems.size > 0) {
    out.push('\nThe server logged (LOG_LEVEL=warn):');
    for (const [message, count] of r.serverProblems) out.push(`  ${count}× ${message}`);
  }
  return out;
}
