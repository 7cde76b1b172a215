import { COMMANDS, type CommandInput, type CommandName, type TrainingAccount } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import { ApiRequestError } from '../api/server-api.ts';
import type { AttentionItem } from '../outbox/attention.ts';
import { CommandNotAllowedError } from '../outbox/record-command.ts';
import type { OperationArgs, OperationName, OperationResult } from './operations.ts';
import type { Yard } from './yard-choice.ts';
import type { Envelope, LiveResult, LiveSpec, Reply, Request, SerializedError } from './protocol.ts';

/** A live query's handle: new parameters or window, or stop. */
export interface LiveHandle {
  update(spec: LiveSpec): void;
  close(): void;
}

/**
 * A tab's handle on the tablet's database, which lives in the leader's worker (db/worker.ts).
 * Every method is one message to this tab's worker and one answer back.
 */
export class LocalDatabase {
  private nextRequest = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly live = new Map<string, { push: (result: LiveResult) => void; fail: (error: Error) => void }>();
  private fatal: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<Reply>) => this.receive(event.data));
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return this.request({ kind: 'query', sql, ...(params && { params }) }) as Promise<{ rows: T[] }>;
  }

  async exec(sql: string): Promise<void> {
    await this.request({ kind: 'exec', sql });
  }

  run<K extends OperationName>(operation: K, ...args: OperationArgs<K> extends undefined ? [] : [OperationArgs<K>]): Promise<OperationResult<K>> {
    return this.request({ kind: 'run', operation, args: args[0] }) as Promise<OperationResult<K>>;
  }

  /**
   * Records a command: checked against the contract here (a ZodError names the fields while the
   * person still looks at the form), then stored with its effects by the leader, which answers
   * once it is on the tablet's disk. Resolves with the mutation id.
   */
  record<N extends CommandName>(name: N, input: CommandInput<N>): Promise<string> {
    COMMANDS[name].args.parse(input);
    return this.run('record', { name, input: input as CommandInput<CommandName>, mutationId: uuidv7() });
  }

  signIn(username: string, password: string): Promise<void> {
    return this.run('signIn', { username, password });
  }

  signInTraining(account: TrainingAccount, site: string | undefined): Promise<void> {
    return this.run('signInTraining', { account, ...(site && { site }) });
  }

  signOut(): Promise<void> {
    return this.run('signOut');
  }

  discardRefused(mutationId: string): Promise<void> {
    return this.run('discardRefused', { mutationId });
  }

  retryRefused<N extends CommandName>(mutationId: string, name: N, input: CommandInput<N>): Promise<void> {
    COMMANDS[name].args.parse(input);
    return this.run('retryRefused', { mutationId, name, input: input as CommandInput<CommandName> });
  }

  mergeIntoExistingPart(item: AttentionItem): Promise<number> {
    return this.run('mergeIntoExistingPart', { item });
  }

  /**
   * Starts a live query: `push` receives its results now and whenever a table it reads changes
   * (only when they differ). `fail` hears about SQL the database refused.
   */
  subscribe<T>(spec: LiveSpec, push: (result: LiveResult<T>) => void, fail: (error: Error) => void = (error) => console.error(error)): LiveHandle {
    const id = uuidv7();
    let current = id;
    const start = (liveId: string, next: LiveSpec) => {
      this.live.set(liveId, { push: push as (result: LiveResult) => void, fail });
      this.post({ kind: 'subscribe', id: liveId, spec: next });
    };
    start(id, spec);
    return {
      update: (next) => {
        // A new id, so a result of the old query still on its way cannot pass for the new one.
        this.stop(current);
        current = uuidv7();
        start(current, next);
      },
      close: () => this.stop(current),
    };
  }

  private stop(id: string): void {
    if (!this.live.delete(id)) return;
    this.post({ kind: 'unsubscribe', id });
  }

  private request(request: Request): Promise<unknown> {
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      const requestId = this.nextRequest++;
      this.waiting.set(requestId, { resolve, reject });
      this.worker.postMessage({ ...request, requestId } satisfies Envelope);
    });
  }

  private post(request: Request): void {
    this.worker.postMessage({ ...request, requestId: 0 } satisfies Envelope);
  }

  private receive(reply: Reply): void {
    switch (reply.kind) {
      case 'answer':
      case 'failure': {
        const caller = this.waiting.get(reply.requestId);
        if (!caller) return;
        this.waiting.delete(reply.requestId);
        if (reply.kind === 'answer') caller.resolve(reply.result);
        else caller.reject(revive(reply.error));
        return;
      }
      case 'live':
        this.live.get(reply.id)?.push(reply.result);
        return;
      case 'live-failure':
        this.live.get(reply.id)?.fail(revive(reply.error));
        return;
      case 'fatal':
        this.fatal = revive(reply.error);
        for (const caller of this.waiting.values()) caller.reject(this.fatal);
        this.waiting.clear();
        for (const listener of this.fatalListeners) listener(this.fatal);
        return;
    }
  }

  private readonly fatalListeners = new Set<(error: Error) => void>();

  /** The database could not be opened: nothing will work (the app says so). */
  onFatal(listener: (error: Error) => void): void {
    if (this.fatal) listener(this.fatal);
    else this.fatalListeners.add(listener);
  }
}

/** The error the worker reported, as the class the screens check for where there is one. */
function revive(error: SerializedError): Error {
  if (error.name === 'ApiRequestError') return new ApiRequestError(error.status ?? 0, error.code ?? 'error', error.message, error.fields, error.retryAfterSeconds);
  if (error.name === 'CommandNotAllowedError') return new CommandNotAllowedError(error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/**
 * Opens the tablet's database: starts this tab's worker (which opens PGlite if it leads, or reaches
 * the leader) and resolves once it answers a first query. Also asks the browser to keep the
 * storage: without it, a tablet short of space may evict a shift's queued work.
 */
export async function openLocalDatabase(yard: Yard): Promise<LocalDatabase> {
  void navigator.storage?.persist?.().catch(() => false);
  // The worker learns which yard's database to serve from its name (db/yard-choice.ts).
  const db = new LocalDatabase(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: yard }));
  await db.query('select 1');
  return db;
}
