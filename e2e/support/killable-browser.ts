import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';
import { inEnglish } from './screens.ts';

/**
 * A Chromium on a profile folder of its own that a test can kill like a tablet's battery dying or
 * the OS ending the app: SIGKILL to the browser process, no clean close, nothing flushed on the
 * way out. Started again on the same folder, it finds what the tablet had stored.
 */
export interface KillableBrowser {
  context: BrowserContext;
  page: Page;
  /** SIGKILL to the browser process; resolves once Playwright has seen it go. */
  kill(): Promise<void>;
}

export async function launchKillable(profileDir: string, baseURL: string): Promise<KillableBrowser> {
  const before = new Set(chromiumChildren());
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = chromiumChildren().find((p) => !before.has(p));
  if (pid === undefined) throw new Error('the browser process was not found');
  await inEnglish(context);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async kill() {
      const closed = new Promise<void>((resolve) => context.once('close', () => resolve()));
      process.kill(pid, 'SIGKILL');
      await closed;
    },
  };
}

/** Chromium processes this process started (Playwright spawns the browser directly). */
export function chromiumChildren(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === process.pid && /chrom/i.test(comm)) pids.push(Number(entry));
  }
  return pids;
}
