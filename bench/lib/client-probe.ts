/**
 * What `bench:client` runs inside the page: an init script (before the app's own code, in every
 * document) that timestamps what the user would see, on the page's own clock (`performance.now()`,
 * milliseconds since the navigation started), so no figure includes Playwright's round trips:
 *
 * - marks: the login form's first appearance, the sign-in submit, the local database opened
 *   (`window.cimcoDb` assigned), the app shell (`[data-testid="sync-bar"]`), the first
 *   `[data-testid="part-row"]`, the service worker taking control;
 * - `waitUsable`: polls the local database until the initial sync is done and holds every part;
 * - `armSearch` / `searchSettled`: the part rows' state after each change, from the search box's
 *   `input` event until the rows stop changing;
 * - `recordMany`: records commands, the first one after another as a screen does, each one timed;
 * - `roundTrips`: `select 1` through the database worker, timed (how busy the worker is);
 * - `storageKinds`: which PGlite storage (IndexedDB, OPFS) the app's database is on.
 *
 * It is plain JavaScript in a string: functions handed to `page.evaluate` are sent as their source
 * text, and tsx's transform can add helper calls to them that do not exist in the page.
 */

/** Marks, in page milliseconds since navigation start. */
export interface PageMarks {
  loginForm?: number;
  submit?: number;
  dbOpen?: number;
  appShell?: number;
  firstRow?: number;
  swControl?: number;
}

export interface UsableResult {
  marks: PageMarks;
  /** When the local database first said: initial sync done, every part there. */
  syncDone: number;
  /** `initial_sync_done` and the count at the end. */
  parts: number;
  /** Whether part rows appeared (the parts screen may not have them yet). */
  rowsShown: boolean;
}

export interface SearchOutcome {
  /** The search box's `input` event. */
  inputAt: number | null;
  /** Each change of the part rows (count, first rows' part numbers, the count line and its aria-busy). */
  changes: number[];
  /** Rows in the page (a virtualised list renders only those near the screen). */
  rows: number;
  /** The count line's data-count: how many parts match. */
  matches: number | null;
  signature: string;
  /** The count line stopped being busy and the rows stayed unchanged for the quiet time. */
  settled: boolean;
}

export interface RecordOutcome {
  /** Milliseconds per command, in order, for the commands tried (all, or those within the time budget). */
  durations: number[];
  /** Whether each of them was recorded. */
  ok: boolean[];
  errors: string[];
}

export const PROBE_SCRIPT = String.raw`
(() => {
  if (window.__cimcoBench) return;
  const marks = {};
  const mark = (name) => { if (marks[name] === undefined) marks[name] = performance.now(); };
  const ROW = '[data-testid="part-row"]';
  const COUNT = '[data-testid="parts-count"]';

  // Root assigns the local database (and cimcoRecord) with Object.assign: a setter sees it happen.
  let db;
  Object.defineProperty(window, 'cimcoDb', {
    configurable: true,
    enumerable: true,
    get() { return db; },
    set(value) { db = value; mark('dbOpen'); },
  });

  const look = () => {
    if (marks.loginForm === undefined && document.getElementById('username')) mark('loginForm');
    if (marks.appShell === undefined && document.querySelector('[data-testid="sync-bar"]')) mark('appShell');
    if (marks.firstRow === undefined && document.querySelector(ROW)) mark('firstRow');
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
  document.addEventListener('submit', () => mark('submit'), true);
  if (navigator.serviceWorker) {
    if (navigator.serviceWorker.controller) mark('swControl');
    navigator.serviceWorker.addEventListener('controllerchange', () => mark('swControl'));
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const signature = () => {
    const rows = document.querySelectorAll(ROW);
    const first = [];
    for (let i = 0; i < rows.length && i < 40; i++) first.push(rows[i].getAttribute('data-part-number') || rows[i].textContent.slice(0, 40));
    const count = document.querySelector(COUNT);
    // The count line says how many match, and aria-busy="true" while the new query has not answered.
    const counted = count ? count.getAttribute('data-count') + ' ' + count.getAttribute('aria-busy') + ' ' + count.textContent : '';
    return rows.length + '|' + first.join(',') + '|' + counted;
  };

  let search = null;
  let recording = null;
  const onInput = (event) => {
    if (search && search.inputAt === null && event.target && event.target.tagName === 'INPUT') search.inputAt = performance.now();
  };
  document.addEventListener('input', onInput, true);

  window.__cimcoBench = {
    marks: () => ({ ...marks }),
    signature,

    /**
     * Resolves once the initial sync is done with every part, then waits (up to rowWaitMs) for part
     * rows. The database is asked only once the parts screen counts every part (or, without its
     * count line, every second): each query costs the worker a pass over its files in IndexedDB,
     * and polling it often would slow down the very sync being timed.
     */
    async waitUsable(parts, timeoutMs, rowWaitMs) {
      const deadline = performance.now() + timeoutMs;
      let syncDone = null;
      let last = null;
      let asked = -Infinity;
      while (syncDone === null) {
        if (performance.now() > deadline) throw new Error('the initial sync was not done in time: ' + JSON.stringify(last));
        const count = document.querySelector(COUNT);
        const counted = count && count.getAttribute('aria-busy') !== 'true' && Number(count.getAttribute('data-count')) === parts;
        const gap = count ? (counted ? 250 : Infinity) : 1000;
        if (window.cimcoDb && performance.now() - asked >= gap) {
          asked = performance.now();
          try {
            const { rows } = await window.cimcoDb.query(
              'select initial_sync_done, (select count(*) from parts_synced)::int as n from sync_state');
            last = rows[0];
            if (last && last.initial_sync_done && last.n === parts) syncDone = performance.now();
          } catch (error) {
            last = String(error);
          }
        }
        if (syncDone === null) await sleep(50);
      }
      const rowDeadline = performance.now() + rowWaitMs;
      while (marks.firstRow === undefined && performance.now() < rowDeadline) await sleep(50);
      return { marks: { ...marks }, syncDone, parts: last.n, rowsShown: marks.firstRow !== undefined };
    },

    async waitFor(name, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (marks[name] === undefined && performance.now() < deadline) await sleep(50);
      return { ...marks };
    },

    armSearch() {
      if (search) search.observer.disconnect();
      const state = { inputAt: null, changes: [], last: signature(), observer: null };
      state.observer = new MutationObserver(() => {
        const now = performance.now();
        const sig = signature();
        if (sig !== state.last) { state.last = sig; state.changes.push(now); }
      });
      state.observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-part-number', 'data-count', 'aria-busy'] });
      search = state;
    },

    /**
     * After the input: waits for a first change, then until the count line is no longer busy
     * (the new query has answered) and nothing changed for quietMs.
     */
    async searchSettled(quietMs, timeoutMs) {
      const state = search;
      const started = performance.now();
      const busy = () => {
        const count = document.querySelector(COUNT);
        return !!count && count.getAttribute('aria-busy') === 'true';
      };
      let settled = false;
      for (;;) {
        const now = performance.now();
        const lastChange = state.changes.length ? state.changes[state.changes.length - 1] : null;
        if (lastChange !== null && now - lastChange >= quietMs && !busy()) { settled = true; break; }
        if (now - started > timeoutMs) break;
        await sleep(20);
      }
      state.observer.disconnect();
      search = null;
      const count = document.querySelector(COUNT);
      return {
        inputAt: state.inputAt,
        changes: state.changes,
        rows: document.querySelectorAll(ROW).length,
        matches: count ? Number(count.getAttribute('data-count')) : null,
        signature: state.last,
        settled,
      };
    },

    /** The sync bar's data-pending (this user's commands in the outbox), or null without a sync bar. */
    pending() {
      const bar = document.querySelector('[data-testid="sync-bar"]');
      return bar ? Number(bar.getAttribute('data-pending')) : null;
    },

    /**
     * Records the commands: the first oneByOne (the bench passes all of them unless told otherwise)
     * one after another, as a screen does, then the rest inFlight at a time (they share their
     * write-backs); no new one starts once budgetMs have passed. Durations and outcomes are in the
     * commands' order.
     */
    async recordMany(commands, budgetMs, oneByOne, inFlight) {
      const durations = [];
      recording = durations;
      const ok = [];
      const errors = [];
      const deadline = performance.now() + budgetMs;
      const recordOne = async (i) => {
        const started = performance.now();
        try {
          await window.cimcoRecord('stock.adjust', commands[i]);
          ok[i] = true;
        } catch (error) {
          ok[i] = false;
          if (errors.length < 5) errors.push(String(error && error.message || error));
        }
        durations[i] = performance.now() - started;
      };
      let next = 0;
      for (; next < Math.min(oneByOne, commands.length) && performance.now() <= deadline; next++) await recordOne(next);
      if (next === oneByOne) {
        const lane = async () => {
          while (next < commands.length && performance.now() <= deadline) await recordOne(next++);
        };
        await Promise.all(Array.from({ length: inFlight }, lane));
      }
      return { durations, ok, errors };
    },

    /** While recordMany runs: how many commands are done, and the last ten's times (ms). */
    recordedSoFar() {
      const done = recording ? recording.filter((d) => d !== undefined) : [];
      return { n: done.length, last: done.slice(-10) };
    },

    /** Round trips of 'select 1' through the worker, gapMs apart: how busy the database is. */
    async roundTrips(n, gapMs) {
      const out = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        await window.cimcoDb.query('select 1');
        out.push(performance.now() - started);
        await sleep(gapMs);
      }
      return out;
    },

    async query(sql, params) {
      const { rows } = await window.cimcoDb.query(sql, params || []);
      return rows;
    },

    /** The database worker's start, step by step, on this page's clock (ms since navigation). */
    async workerStartup() {
      const marks = await window.cimcoDb.run('startupMarks');
      const out = {};
      for (const [step, at] of Object.entries(marks)) out[step] = at - performance.timeOrigin;
      return out;
    },

    /**
     * Which PGlite storage the app's database is on, from what the origin holds: an IndexedDB
     * database named /pglite/… (idb://), or a folder at the OPFS root with PGlite's access-handle
     * state file (opfs-ahp://).
     */
    async storageKinds() {
      const kinds = [];
      try {
        const databases = await indexedDB.databases();
        if (databases.some((d) => d.name && d.name.startsWith('/pglite/'))) kinds.push('idb');
      } catch (_) { /* no IndexedDB listing */ }
      const holdsPglite = async (dir, depth) => {
        for await (const handle of dir.values()) {
          if (handle.kind === 'file' && handle.name === 'state.txt' && depth > 0) return true;
          if (handle.kind === 'directory' && depth < 3 && (await holdsPglite(handle, depth + 1))) return true;
        }
        return false;
      };
      try {
        if (await holdsPglite(await navigator.storage.getDirectory(), 0)) kinds.push('opfs-ahp');
      } catch (_) { /* no OPFS */ }
      return kinds;
    },

    async storage() {
      const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : {};
      return { usage: estimate.usage || 0, controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller) };
    },
  };
})();
`;
