/// <reference lib="webworker" />
/**
 * The tablet's database worker (DESIGN.md §5). Every tab starts one; the workers elect a leader
 * with a Web Lock, and only the leader opens PGlite (db/storage.ts) and starts the sync and the
 * uploader — one tablet syncs and uploads once, however many tabs are open.
 *
 * A tab talks only to its own worker (one `postMessage` each way, see protocol.ts). The leader
 * answers itself; another worker relays its tab's requests to the leader over a BroadcastChannel
 * and the answers back. When the leader's tab closes, the next worker in line for the lock takes
 * over, and every relay sends what was still unanswered again — reads, and operations that are
 * idempotent (db/operations.ts) — and starts its tab's live queries again there. Answers carry
 * the request's number, so none is delivered twice.
 */
import { startLeader, type Leader } from '../leader/leader.ts';
import { LiveEngine } from './live-engine.ts';
import { runOperation } from './operations.ts';
import { persisted } from './persisted.ts';
import { serializeError, type Envelope, type Reply } from './protocol.ts';
import { markStartup } from './startup-marks.ts';
import { openTabletDatabase, type TabletPGlite } from './storage.ts';
import type { Yard } from './yard-choice.ts';

declare const self: DedicatedWorkerGlobalScope;
markStartup('workerStarted');

/** The yard this worker serves, named by its tab (db/yard-choice.ts): each has its own database, leader and hub. */
const yard: Yard = self.name === 'training' ? 'training' : 'live';
const YARD_SUFFIX = yard === 'training' ? '-training' : '';
const LEADER_LOCK = `cimco-yard-db-leader${YARD_SUFFIX}`;
/** Held by each worker while it lives: the leader learns from it that a relay's tab went away. */
const ALIVE_LOCK = (workerId: string) => `cimco-yard-db-worker:${workerId}`;
const HUB = `cimco-yard-db${YARD_SUFFIX}`;

/** Messages between workers on the hub. */
type HubMessage =
  | { kind: 'leader-ready'; leaderId: string }
  | { kind: 'who-leads' }
  | { kind: 'request'; from: string; to: string; envelope: Envelope }
  | { kind: 'reply'; to: string; reply: Reply };

const workerId = crypto.randomUUID();
const hub = new BroadcastChannel(HUB);
const origin = self.location.origin;

let leader: Leader | undefined;
let served: Serving | undefined;
/** The leader this relay sends to; undefined while there is none (requests wait). */
let leaderId: string | undefined;
/** What this worker's tab asked and was not answered yet, and its live queries: sent again to a new leader. */
const unanswered = new Map<number, Envelope>();
const liveQueries = new Map<string, Envelope>();

// @electric-sql/client 1.0.14 (inside pglite-sync) rejects an internal promise with no value when
// a shape stream is stopped while it waits for its next tick, and nobody awaits it. The uploader
// stops the sync whenever it posts, so these are expected.
// pglite-sync 0.6.1 does not await its commits either: when one fails (a synced row the local
// schema refuses), it has already dropped those changes from memory, and its next commit stores
// offsets past them — the tablet would never see them. Any other rejection is therefore taken as a
// broken sync: the leader stops it and starts it again from what was committed, which fetches the
// lost changes again (the error still shows in the console).
self.addEventListener('unhandledrejection', (event) => {
  if (event.reason === undefined) event.preventDefault();
  else leader?.restartSync(event.reason);
});

void navigator.locks.request(ALIVE_LOCK(workerId), () => new Promise<never>(() => {}));

// ---------------------------------------------------------------------------------------------
// This worker's tab
// ---------------------------------------------------------------------------------------------

self.addEventListener('message', (event: MessageEvent<Envelope>) => {
  const envelope = event.data;
  if (envelope.kind === 'subscribe') liveQueries.set(envelope.id, envelope);
  else if (envelope.kind === 'unsubscribe') liveQueries.delete(envelope.id);
  else unanswered.set(envelope.requestId, envelope);
  send(envelope);
});

function toTab(reply: Reply): void {
  if (reply.kind === 'answer' || reply.kind === 'failure') {
    // A request sent again to a new leader may be answered by both: the first answer counts.
    if (!unanswered.delete(reply.requestId)) return;
  }
  self.postMessage(reply);
}

/** Sends a request of this worker's tab to the leader: itself, or another worker. */
function send(envelope: Envelope): void {
  if (served) void served.handle(workerId, envelope, toTab);
  else if (leaderId) hub.postMessage({ kind: 'request', from: workerId, to: leaderId, envelope } satisfies HubMessage);
  // Otherwise it waits in `unanswered`/`liveQueries` until a leader says it is ready.
}

function resendAll(): void {
  for (const envelope of liveQueries.values()) send(envelope);
  for (const envelope of unanswered.values()) send(envelope);
}

// ---------------------------------------------------------------------------------------------
// The other workers
// ---------------------------------------------------------------------------------------------

hub.addEventListener('message', (event: MessageEvent<HubMessage>) => {
  const message = event.data;
  switch (message.kind) {
    case 'leader-ready':
      if (message.leaderId === workerId || message.leaderId === leaderId) return;
      leaderId = message.leaderId;
      resendAll();
      return;
    case 'who-leads':
      if (served) hub.postMessage({ kind: 'leader-ready', leaderId: workerId } satisfies HubMessage);
      return;
    case 'request':
      if (message.to === workerId && served) {
        served.watch(message.from);
        void served.handle(message.from, message.envelope, (reply) => hub.postMessage({ kind: 'reply', to: message.from, reply } satisfies HubMessage));
      }
      return;
    case 'reply':
      if (message.to === workerId) toTab(message.reply);
      return;
  }
});
hub.postMessage({ kind: 'who-leads' } satisfies HubMessage);

// ---------------------------------------------------------------------------------------------
// Leading
// ---------------------------------------------------------------------------------------------

void navigator.locks.request(LEADER_LOCK, async () => {
  markStartup('leaderLock');
  try {
    const { pg } = await openTabletDatabase(origin, yard);
    served = new Serving(pg);
    leaderId = workerId;
    hub.postMessage({ kind: 'leader-ready', leaderId: workerId } satisfies HubMessage);
    resendAll();
    // The tab can show its screens meanwhile: the leader's work is reflected in sync_state.
    void startLeader({ pg, baseUrl: origin })
      .then((started) => (leader = started))
      .catch((error: unknown) => console.error('The sync could not start', error));
  } catch (error) {
    console.error('The local database could not be opened', error);
    self.postMessage({ kind: 'fatal', error: serializeError(error) } satisfies Reply);
  }
  // Held until this worker ends (its tab closed): the next worker in line then leads.
  return new Promise<never>(() => {});
});

/** The leader's side: requests from its own tab and relayed ones, against the database. */
class Serving {
  private readonly live: LiveEngine;
  private readonly watched = new Set<string>();

  constructor(private readonly pg: TabletPGlite) {
    this.live = new LiveEngine(pg, () => persisted(pg));
  }

  /** Forgets a relay's live queries once its worker ends (its tab closed). */
  watch(relayId: string): void {
    if (relayId === workerId || this.watched.has(relayId)) return;
    this.watched.add(relayId);
    void navigator.locks.request(ALIVE_LOCK(relayId), () => {
      this.watched.delete(relayId);
      this.live.unsubscribeAll(`${relayId}:`);
    });
  }

  async handle(from: string, envelope: Envelope, reply: (reply: Reply) => void): Promise<void> {
    const { requestId } = envelope;
    try {
      switch (envelope.kind) {
        case 'query': {
          const { rows } = await this.pg.query(envelope.sql, envelope.params);
          return reply({ kind: 'answer', requestId, result: { rows } });
        }
        case 'exec':
          await this.pg.exec(envelope.sql);
          return reply({ kind: 'answer', requestId, result: null });
        case 'run': {
          const result = await runOperation({ pg: this.pg, origin }, envelope.operation, envelope.args);
          // What a person did is stored before the tab hears it is done.
          await persisted(this.pg);
          return reply({ kind: 'answer', requestId, result: result ?? null });
        }
        case 'subscribe':
          await this.live
            .subscribe(`${from}:${envelope.id}`, envelope.spec, (result) => reply({ kind: 'live', id: envelope.id, result }))
            .catch((error: unknown) => reply({ kind: 'live-failure', id: envelope.id, error: serializeError(error) }));
          return;
        case 'unsubscribe':
          this.live.unsubscribe(`${from}:${envelope.id}`);
          return;
      }
    } catch (error) {
      reply({ kind: 'failure', requestId, error: serializeError(error) });
    }
  }
}
