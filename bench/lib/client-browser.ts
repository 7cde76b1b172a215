import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../e2e/support/chromium.ts';
import type { Environment } from './environment.ts';
import { PROBE_SCRIPT } from './client-probe.ts';

/**
 * Headless Chromium for `bench:client`, launched as the end-to-end tests launch it
 * (`e2e/support/chromium.ts`), with a real profile folder (`launchPersistentContext`) so
 * IndexedDB and the service worker's caches survive closing the browser, as on a tablet.
 */

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  /** The browser's main process (its CPU, and its children's, is the browser's cost). */
  pid: number | undefined;
  close(): Promise<void>;
}

/**
 * Launches Chromium on `profileDir` with the probe installed in every page. Closing is registered
 * with the environment, so a failure or Ctrl+C closes it too (killing it if it hangs).
 */
export async function openBrowser(env: Environment, profileDir: string, label: string): Promise<OpenBrowser> {
  const before = new Set(chromiumChildren());
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    // runBench handles the signals: it closes the browser before the server and the database.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = chromiumChildren().find((p) => !before.has(p));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
      const result = await Promise.race([context.close().then(() => 'closed' as const), timeout]);
      if (result === 'timeout' && pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    })());
  env.onCleanUp(`close the browser (${label})`, close);
  await context.addInitScript({ content: PROBE_SCRIPT });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, pid, close };
}

/** Chromium processes this process started (Playwright spawns the browser directly). */
function chromiumChildren(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === process.pid && /chrom/i.test(stat.comm)) pids.push(Number(entry));
  }
  return pids;
}

interface Stat {
  comm: string;
  ppid: number;
  cpu: number;
  childrenCpu: number;
}

const CLOCK_TICKS = 100;

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const n = (field: number) => Number(fields[field - 3]);
  return { comm: text.slice(open + 1, close), ppid: n(4), cpu: (n(14) + n(15)) / CLOCK_TICKS, childrenCpu: (n(16) + n(17)) / CLOCK_TICKS };
}

/**
 * CPU seconds of a process tree so far: the root, its live descendants, and the descendants that
 * already exited and were waited for (in their parents' cutime/cstime).
 */
export function treeCpu(rootPid: number | undefined): number {
  if (rootPid === undefined) return 0;
  const stats = new Map<number, Stat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const stat = stats.get(pid);
    if (!stat) continue;
    total += stat.cpu + stat.childrenCpu;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}
