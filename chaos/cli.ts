import { Environment } from '../bench/lib/environment.ts';
import { runBench } from '../bench/lib/run-bench.ts';
import { restartBrokenSyncs, runChaos } from './harness.ts';
import { parseChaosOptions } from './options.ts';
import { renderReport } from './report.ts';

/**
 * `npm run chaos -- --tablets 50 --commands 10000 --seed 7 --duration 600`: one chaos run, its
 * figures and checks printed; exit code 1 when a check fails (or the run itself breaks), 130 on
 * Ctrl+C. Whatever happens, the servers, PostgreSQL, the tablets and the temporary folders go
 * (runBench's clean-up, shared with the benchmarks).
 */
const options = parseChaosOptions(process.argv.slice(2));
const env = new Environment();

// @electric-sql/client (inside pglite-sync) rejects an internal promise with no value when a shape
// stream is stopped while it waits for its next tick, and nobody awaits it; the tablets' uploader
// stops the sync at every upload, so these come often and mean nothing (vitest.config.ts ignores
// them the same way).
// Rejections with a value are what the browser's worker answers by restarting the sync
// (client/src/db/worker.ts); the harness does the same once its tablets run. Before that, stop.
process.on('unhandledRejection', (reason) => {
  if (reason === undefined) return;
  // PGlite's errors name the row in `detail` (e.g. "Key (id)=(…) already exists."): the lead to follow.
  const detail = (reason as { detail?: unknown } | null)?.detail;
  console.error(`chaos: an unhandled rejection: ${String(reason).slice(0, 300)}${typeof detail === 'string' ? ` (${detail.slice(0, 200)})` : ''}`);
  if (restartBrokenSyncs(reason)) return;
  process.kill(process.pid, 'SIGTERM');
});

await runBench('chaos', env, async () => {
  const report = await runChaos(options, env);
  const text = renderReport(report);
  if (report.checks.every((check) => check.ok)) return text;
  console.log(text);
  // runBench reports a thrown error and exits 1; the report above already says what failed, so
  // the error carries no stack trace to bury it.
  const failed = new Error(`${report.checks.filter((check) => !check.ok).length} check(s) failed (seed ${options.seed})`);
  failed.stack = failed.message;
  throw failed;
});
