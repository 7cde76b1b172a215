import type { ChaosReport } from './harness.ts';

/** The figures and the checks of a run, as printed at its end (and pasted into the README). */
export function renderReport(report: ChaosReport): string {
  const { options: o, tablets, commands, faults, proxy, servers, seconds, checks } = report;
  const list = (counts: Map<string | number, number>) =>
    [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join(', ') || 'none';
  const injected = [...faults.injected.values()].reduce((a, b) => a + b, 0);
  const lines = [
    '',
    `CHAOS RUN  seed ${o.seed} · ${tablets.total} tablets · ${o.servers} server(s) · ${o.commands} commands over ~${o.durationSeconds} s`,
    '',
    `tablets      ${list(tablets.byRole)}${tablets.offline ? `; offline the whole run: ${tablets.offline}` : ''}`,
    `commands     ${commands.recorded} recorded (${commands.notRecorded} refused by the tablet itself)`,
    `             ${list(commands.byName)}`,
    `results      ${list(commands.outcomes.byStatus)}`,
    `refusals     ${list(commands.outcomes.refusalCodes)}`,
    `faults       ${injected} injected of ${faults.planned} planned: ${list(faults.injected)}`,
    ...faults.failures.slice(0, 10).map((failure) => `             not as planned: ${failure}`),
    `servers      ${servers.restarts} restarts after kills, ${servers.unexpectedExits} exits nobody caused`,
    `tablet sync  ${servers.syncRestarts} unhandled pglite-sync failures, each answered by restarting every tablet's sync (as the browser's worker does)`,
    `proxy        ${proxy.requests} requests; answers ${list(proxy.statuses)}; ${proxy.duplicatedPosts} uploads delivered twice`,
    `time         setup ${seconds.setup.toFixed(1)} s, workload ${seconds.workload.toFixed(1)} s, settle ${seconds.settle.toFixed(1)} s, checks ${seconds.checks.toFixed(1)} s, total ${seconds.total.toFixed(1)} s`,
    '',
    'CHECKS',
    ...checks.flatMap((check) => [
      `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.summary}`,
      ...check.problems.map((problem) => `          ${problem}`),
    ]),
    '',
    checks.every((check) => check.ok) ? 'all checks passed' : `${checks.filter((check) => !check.ok).length} check(s) FAILED`,
  ];
  return lines.join('\n');
}
