import type { ActivitySummary } from './writes-activity.ts';
import type { LoadResult, WriteCommand } from './writes-load.ts';
import type { MachineInfo, PhaseCost } from './proc.ts';
import { fixed, heading, int, mb, percentile, table } from './format.ts';

/** One measured run: one command, one batch size, one path (HTTP or raw SQL). */
/** The capture trigger a run had (bench/writes.ts swaps it): with the NOTIFY it had before migration 0008, or without. */
export type CaptureMode = 'notify' | 'woken';

export interface WriteRun {
  command: WriteCommand;
  batch: number;
  path: 'HTTP' | 'raw SQL';
  /** How the publisher learnt of commits: a NOTIFY in every writing transaction (before migration 0008), or woken after them. */
  capture: CaptureMode;
  /** PostgreSQL connections the load had: the server's pool for HTTP, the raw pool's size. */
  connections: number;
  perDevice: number;
  load: LoadResult;
  cost: PhaseCost;
  activity: ActivitySummary;
  /** PostgreSQL CPU seconds per kind of backend ('server', 'raw', 'publisher', 'background', 'sampler'). */
  backendCpu: Map<string, number>;
  /** Seconds from the run's end until the server's publisher had numbered every transaction. */
  feedLagSeconds: number;
  /** Seconds spent waiting for another benchmark to finish before this run. */
  waitedSeconds: number;
}

export interface WriteResults {
  machine: MachineInfo;
  postgres: Record<string, string>;
  serverPid: number;
  serverPoolSize: number;
  devices: number;
  /** Raw SQL connection counts; the first is the HTTP/raw ratio's reference. */
  rawConnections: number[];
  parts: number;
  workingSet: number;
  warmupCommands: number;
  setupSeconds: number;
  runs: WriteRun[];
  serverProblems: Map<string, number>;
}

export function renderWriteReport(r: WriteResults): string {
  const m = r.machine;
  const pg = r.postgres;
  return [
    heading('CIMCO Yard — write path benchmark (npm run bench:writes)'),
    `Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGb.toFixed(0)} GB RAM, Node ${m.node}, ${m.kernel}`,
    `PostgreSQL ${pg.server_version} (embedded, on this machine): max_connections ${pg.max_connections}, shared_buffers ` +
      `${pg.shared_buffers}, fsync ${pg.fsync}, synchronous_commit ${pg.synchronous_commit}, wal_sync_method ${pg.wal_sync_method}, ` +
      `commit_delay ${pg.commit_delay}.`,
    `Data: a generated yard of ${int(r.parts)} parts; the commands work on ${int(r.workingSet)} of them (stock topped up so it never ` +
      `goes below zero) and on ${int(r.workingSet)} open tasks. ${r.devices} technicians, made in SQL with createUser, each signed ` +
      `in on a tablet of its own (device id). Set-up took ${fixed(r.setupSeconds, 1)} s.`,
    `Load: the ${r.devices} tablets at once, each posting its batches back-to-back (one request in flight per tablet), every command ` +
      `on a row picked at random (so concurrent commands meet on a row only sometimes). HTTP: POST /api/mutations to the server, ` +
      `a separate process (pid ${r.serverPid}) whose pool has ${r.serverPoolSize} connections. Raw SQL: the same commands (same ` +
      `tablets, same row picks) as the processor's transaction, statement for statement, through pg, each command on a ` +
      `connection of a pool of ${r.rawConnections.join(' or ')}. ${int(r.warmupCommands)} commands of each kind warm the ` +
      `paths up first (not counted).`,
    ...throughput(r),
    ...activity(r),
    ...costs(r),
  ].join('\n');
}

function throughput(r: WriteResults): string[] {
  const [reference, ...others] = r.rawConnections;
  const out = [heading('1. Commands per second, and latency of one batch (send → all its results back)')];
  const rows: (string | number)[][] = [];
  // One row per trigger, command and batch size, in the order they ran.
  const cases = [...new Map(r.runs.map((run) => [`${run.capture} ${run.command} ${run.batch}`, run])).values()];
  for (const { capture, command, batch } of cases) {
    const find = (path: WriteRun['path'], connections?: number) =>
      r.runs.find((run) => run.capture === capture && run.command === command && run.batch === batch && run.path === path && (connections === undefined || run.connections === connections));
    const http = find('HTTP');
    const raw = find('raw SQL', reference);
    const rate = (run?: WriteRun) => (run ? run.load.commands / run.load.seconds : Number.NaN);
    const p = (run: WriteRun | undefined, q: number) => {
      const sorted = [...(run?.load.batchLatencies ?? [])].sort((x, y) => x - y);
      return fixed(percentile(sorted, q), 0);
    };
    rows.push([
      capture === 'notify' ? 'NOTIFY in each transaction' : 'woken after commit',
      command === 'task.update' ? 'task.update (title, priority)' : command,
      batch,
      `${r.devices} × ${int((http ?? raw)!.perDevice)}`,
      int(rate(http)),
      int(rate(raw)),
      `${fixed(rate(http) / rate(raw), 2)}×`,
      ...others.map((connections) => int(rate(find('raw SQL', connections)))),
      p(http, 50),
      p(http, 99),
      p(raw, 50),
      p(raw, 99),
      `${conflicts(http)} / ${conflicts(raw)}`,
    ]);
  }
  out.push(
    table(
      [
        'publisher woken by', 'command', 'batch', 'tablets × cmds', 'HTTP cmd/s', `raw ${reference} conns cmd/s`, 'HTTP / raw',
        ...others.map((c) => `raw ${c} conns cmd/s`),
        'HTTP p50 ms', 'HTTP p99 ms', `raw ${reference} p50 ms`, `raw ${reference} p99 ms`, 'conflicts HTTP / raw',
      ],
      rows,
    ),
  );
  out.push(
    'Latency: per batch, for raw SQL the same number of commands, one transaction each, back-to-back for the tablet.\n' +
      `HTTP / raw: against raw SQL on ${reference} connections${others.length ? `; raw SQL on ${others.join(', ')} connections (${others.includes(r.serverPoolSize) ? "the server's pool size" : 'for comparison'}) beside it` : ''}.\n` +
      'Publisher woken by: "NOTIFY in each transaction" runs the capture trigger as it was before migration 0008 (a NOTIFY in\n' +
      'every writing transaction, which PostgreSQL queues at commit under one lock); "woken after commit" is the current trigger.\n' +
      'Conflicts: commands applied with status conflict (a task edit that crossed another tablet\'s edit of the same task:\n' +
      'the overwritten value is kept in conflicts, one more insert). Every other command was applied.',
  );
  for (const run of r.runs) {
    const other = [...run.load.statuses].filter(([status]) => status !== 'applied' && !status.startsWith('conflict'));
    if (run.load.failedBatches > 0 || other.length > 0) {
      out.push(
        `  ${runLabel(run)}: ${run.load.failedBatches} batch(es) failed; ` +
          `${other.map(([s, n]) => `${int(n)}× ${s}`).join(', ') || 'no other statuses'}${run.load.errors.length ? `; ${run.load.errors.join(' | ')}` : ''}`,
      );
    }
  }
  return out;
}

function activity(r: WriteResults): string[] {
  const total = (states: Map<string, number> | undefined) => [...(states?.values() ?? [])].reduce((x, y) => x + y, 0);
  const mainWaits = (states: Map<string, number> | undefined, limit: number) =>
    [...(states ?? [])]
      .filter(([state]) => state !== 'running' && state !== WAITING_FOR_CLIENT)
      .sort((x, y) => y[1] - x[1])
      .filter(([, n]) => n >= 0.05)
      .slice(0, limit)
      .map(([state, n]) => `${state} ${fixed(n, 1)}`)
      .join(', ') || '–';
  const rows = r.runs.map((run) => {
    const states = run.activity.averages.get(run.path === 'HTTP' ? 'server' : 'raw');
    const publisher = run.activity.averages.get('publisher');
    return [
      runLabel(run),
      `${fixed(total(states), 1)} / ${run.connections}`,
      fixed(states?.get('running') ?? 0, 1),
      fixed(states?.get(WAITING_FOR_CLIENT) ?? 0, 1),
      mainWaits(states, 3),
      `${fixed(total(publisher), 2)}: ${mainWaits(publisher, 1)}`,
    ];
  });
  return [
    heading('2. Where the time goes: PostgreSQL backends by state (average count over the run)'),
    'Sampled from pg_stat_activity every 100 ms. "in tx": backends of the load inside a transaction, of the connections it\n' +
      'has (the server\'s pool for HTTP; for raw SQL its own). "running": executing a statement (or queued for a core).\n' +
      '"waiting for client": between two statements of an open transaction — a round trip to the server process (HTTP)\n' +
      'or to the bench process (raw). Waits: Lock:object = the database-wide lock that PostgreSQL takes at commit for a\n' +
      'transaction that ran NOTIFY (the capture trigger does) and holds until the commit is flushed — commits queue on it;\n' +
      'Lock:transactionid/tuple = a row locked by another command; IO:WalSync = commit flushing the WAL.\n' +
      '"publisher": the server\'s feed publisher\'s backend, in a transaction (and its main wait).',
    table(['run', 'in tx / conns', 'running', 'waiting for client', 'main waits (avg backends)', 'publisher in tx'], rows),
  ];
}

const WAITING_FOR_CLIENT = 'in transaction, waiting for the client';

function costs(r: WriteResults): string[] {
  const out = [
    heading('3. Cost per run'),
    'CPU seconds (1.0 s per wall second = one core busy); ms/cmd = CPU per command. The server runs during the raw SQL runs\n' +
      'too: its CPU there is the change-feed publisher numbering the raw transactions. RSS sampled every 100 ms.\n' +
      '"feed lag": after the run, seconds until the publisher had numbered every transaction (0.2 s resolution).',
    table(
      ['run', 'wall s', 'cmd/s', 'server CPU s', 'server CPU %', 'server ms/cmd', 'server peak RSS MB', 'PG CPU s', 'PG ms/cmd', 'bench CPU s', 'other CPU s', 'feed lag s'],
      r.runs.map((run) => {
        const c = run.cost;
        const n = Math.max(1, run.load.commands);
        return [
          runLabel(run),
          fixed(c.seconds, 1),
          int(run.load.commands / run.load.seconds),
          fixed(c.serverCpu, 2),
          `${fixed((100 * c.serverCpu) / c.seconds, 0)}%`,
          fixed((1000 * c.serverCpu) / n, 2),
          mb(c.serverPeakRss),
          fixed(c.postgresCpu, 2),
          fixed((1000 * c.postgresCpu) / n, 2),
          fixed(c.benchCpu, 2),
          fixed(c.otherCpu, 2),
          fixed(run.feedLagSeconds, 1),
        ];
      }),
    ),
    '',
    "PostgreSQL's CPU per command, by backend: the load's connections (the server's pool for HTTP, the raw connections\n" +
      "for raw SQL), the server's feed publisher, background processes (WAL writer, checkpointer, autovacuum…), and the\n" +
      'rest (backends that exited during the run, this bench\'s sampler).',
    table(
      ['run', 'PG ms/cmd', 'load conns', 'publisher', 'background', 'rest'],
      r.runs.map((run) => {
        const n = Math.max(1, run.load.commands) / 1000;
        const load = run.backendCpu.get(run.path === 'HTTP' ? 'server' : 'raw') ?? 0;
        const publisher = run.backendCpu.get('publisher') ?? 0;
        const background = run.backendCpu.get('background') ?? 0;
        const rest = Math.max(0, run.cost.postgresCpu - load - publisher - background);
        return [runLabel(run), fixed(run.cost.postgresCpu / n, 2), fixed(load / n, 2), fixed(publisher / n, 2), fixed(background / n, 2), fixed(rest / n, 2)];
      }),
    ),
  ];
  const disturbed = r.runs.filter((run) => run.cost.otherCpu / run.cost.seconds > 0.25);
  if (disturbed.length > 0) {
    out.push(
      `\nWarning: other processes kept ${disturbed.map((run) => fixed(run.cost.otherCpu / run.cost.seconds, 1)).join(', ')} cores busy ` +
        `during ${disturbed.length} of ${r.runs.length} runs: these figures are disturbed; rerun on a quiet machine.`,
    );
  }
  const waited = r.runs.filter((run) => run.waitedSeconds > 1);
  if (waited.length > 0) {
    out.push(`\n(${waited.length} run(s) waited for another benchmark (bench/shapes.ts) to finish first: ${waited.map((w) => `${fixed(w.waitedSeconds, 0)} s`).join(', ')}.)`);
  }
  if (r.serverProblems.size > 0) {
    out.push('\nThe server logged (LOG_LEVEL=warn):');
    for (const [message, count] of r.serverProblems) out.push(`  ${count}× ${message}`);
  }
  return out;
}

export function runLabel(run: Pick<WriteRun, 'command' | 'batch' | 'path' | 'connections' | 'capture'>): string {
  return `${run.command} ×${run.batch} ${run.path === 'HTTP' ? 'HTTP' : `raw SQL (${run.connections})`}${run.capture === 'notify' ? ' [NOTIFY]' : ''}`;
}

function conflicts(run: WriteRun | undefined): string {
  if (!run) return '–';
  let n = 0;
  for (const [status, count] of run.load.statuses) if (status.startsWith('conflict')) n += count;
  return int(n);
}
