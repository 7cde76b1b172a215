import type { ServerTarget } from '../api/server-api.ts';
import type { SyncStatus } from './sync-status.ts';

/** Ask the server when it has said nothing for this long (and this often while it cannot be reached). */
export const QUIET_MS = 1_000;
/** A probe not answered within this long means the server cannot be reached. */
export const PROBE_TIMEOUT_MS = 1_500;
/** A probe's timeout that fires this late found the thread busy: its answer may be queued behind it. */
const LATE_MS = 250;

/** What reports that the device's network came or went ('online'/'offline'): the worker's global scope. */
export type NetworkHints = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/**
 * Tells the sync bar within seconds that the server cannot be reached. The leader otherwise
 * learns it only when one of its requests fails, and they can take long to: a live shape request
 * waits up to 20 s on the server for a change, a dropped Wi-Fi often fails nothing (requests just
 * get no answer), and the shape client waits out its backoff between tries. So when no request
 * has been answered for a second, this asks the server directly (`GET /api/health`, with a short
 * timeout) and reports the outcome like any other request's: an answer is online, no answer in
 * time is offline. While offline it keeps asking every second, so the tablet says "online" (and the
 * uploader wakes) soon after the server is back.
 *
 * Cost: nothing while other requests are answered (an initial sync, uploads); with the tablet idle
 * and its live requests held by the server, about one small request a second — 60 a minute per
 * signed-in tablet, each a one-row query on the server. Nothing while nobody is signed in.
 *
 * The device's own 'online'/'offline' events only make it ask at once: a yard's Wi-Fi can be
 * connected without reaching the server, so only the server's answer decides.
 */
export class Reachability {
  private active = false;
  private stopped = false;
  private askNow = false;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private wakeUp: (() => void) | null = null;
  private probe: AbortController | null = null;
  private readonly onHint = () => {
    this.askNow = true;
    this.wakeUp?.();
  };

  /** `server.fetch` is the plain fetch, not the status's: the probe reports its own outcome. */
  constructor(
    private readonly status: SyncStatus,
    private readonly server: ServerTarget,
    private readonly hints?: NetworkHints,
  ) {}

  start(): void {
    this.hints?.addEventListener('online', this.onHint);
    this.hints?.addEventListener('offline', this.onHint);
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.hints?.removeEventListener('online', this.onHint);
    this.hints?.removeEventListener('offline', this.onHint);
    this.probe?.abort();
    this.wakeUp?.();
  }

  /** Probe only while someone is signed in: the sync bar is not shown otherwise. */
  setActive(active: boolean): void {
    this.active = active;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.active) {
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      // Due a second after the server last answered anything or the last probe ended, whichever
      // is later: offline, the server answers nothing, so that is a probe a second.
      const due = Math.max(this.status.lastAnswerAt, this.lastProbeAt) + QUIET_MS;
      const wait = due - performance.now();
      if (wait > 0 && !this.askNow) {
        await this.sleep(wait);
        continue;
      }
      this.askNow = false;
      const sent = this.status.requestSent();
      const answered = await this.ask();
      this.lastProbeAt = performance.now();
      if (!this.stopped) this.status.reached(answered, sent);
    }
  }

  /**
   * Whether the server answers `GET /api/health` in time; any answer will do (even a 503: the
   * server is there). Sent without credentials: Chromium keeps those requests on connections of
   * their own, so the probe does not queue behind the live shape requests that hold all six
   * HTTP/1.1 connections to the server (a queued probe would time out on a working server).
   */
  private async ask(): Promise<boolean> {
    const aborter = (this.probe = new AbortController());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUpIn = (ms: number) => {
      const armedAt = performance.now();
      timer = setTimeout(() => {
        // Late by more than LATE_MS: the thread was busy (PGlite runs in this worker), and an
        // answer that came meanwhile may be queued behind this timer; give it a moment.
        if (performance.now() - armedAt - ms > LATE_MS) giveUpIn(LATE_MS);
        else aborter.abort();
      }, ms);
    };
    giveUpIn(PROBE_TIMEOUT_MS);
    try {
      // Built apart from the call: Node's fetch types (the leader also runs in Node tests) have no
      // `cache` field.
      const init = { cache: 'no-store' as const, credentials: 'omit' as const, signal: aborter.signal };
      const response = await (this.server.fetch ?? fetch)(`${this.server.baseUrl}/api/health`, init);
      void response.body?.cancel().catch(() => {});
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      this.probe = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
