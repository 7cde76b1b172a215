import type { PGliteInterface } from '@electric-sql/pglite';
import type { CommandInput, CommandName, TrainingAccount } from '@cimco/contract';
import { discardRefused, mergeIntoExistingPart, retryRefused, type AttentionItem } from '../outbox/attention.ts';
import { OUTBOX_CHANGED, recordCommand } from '../outbox/record-command.ts';
import { signIn, signInTraining, signOut } from '../session/sign-in.ts';
import { startupMarks } from './startup-marks.ts';

/**
 * What a tab asks the leader's worker to do in one step: each operation runs there, next to the
 * database, so its statements cost no trip between tab and worker, and it answers once what it
 * changed is stored (see `persisted`). Every operation may be sent twice — a tab whose leader
 * closed sends what was unanswered again to the next one — so each is idempotent: a command
 * carries the mutation id the tab made, a sign-in stores the same session again, a discard of
 * something gone does nothing.
 */
export interface OperationContext {
  pg: PGliteInterface;
  /** The server's origin (the worker's own: the app and its API are served together). */
  origin: string;
}

export const OPERATIONS = {
  /** Records a command (already checked against the contract by the tab); its mutation id. */
  record: ({ pg }: OperationContext, a: { name: CommandName; input: CommandInput<CommandName>; mutationId: string }) =>
    recordCommand(pg, a.name, a.input, a.mutationId),
  signIn: ({ pg, origin }: OperationContext, a: { username: string; password: string }) => signIn(pg, { baseUrl: origin }, a.username, a.password),
  signInTraining: ({ pg, origin }: OperationContext, a: { account: TrainingAccount; site?: string }) =>
    signInTraining(pg, { baseUrl: origin }, a.account, a.site),
  signOut: ({ pg, origin }: OperationContext) => signOut(pg, { baseUrl: origin }),
  discardRefused: ({ pg }: OperationContext, a: { mutationId: string }) => discardRefused(pg, a.mutationId),
  retryRefused: ({ pg }: OperationContext, a: { mutationId: string; name: CommandName; input: CommandInput<CommandName> }) =>
    retryRefused(pg, a.mutationId, a.name, a.input),
  mergeIntoExistingPart: ({ pg }: OperationContext, a: { item: AttentionItem }) => mergeIntoExistingPart(pg, a.item),
  /** When the leader's worker reached each step of its start (db/startup-marks.ts). */
  startupMarks: async () => startupMarks(),
  /** "Sync now": wakes the uploader. */
  syncNow: async ({ pg }: OperationContext) => {
    await pg.exec(`notify ${OUTBOX_CHANGED}`);
  },
} satisfies Record<string, (context: OperationContext, args: never) => Promise<unknown>>;

export type OperationName = keyof typeof OPERATIONS;
export type OperationArgs<K extends OperationName> = Parameters<(typeof OPERATIONS)[K]>[1];
export type OperationResult<K extends OperationName> = Awaited<ReturnType<(typeof OPERATIONS)[K]>>;

export function runOperation(context: OperationContext, name: string, args: unknown): Promise<unknown> {
  if (!Object.hasOwn(OPERATIONS, name)) throw new Error(`unknown operation: ${name}`);
  return (OPERATIONS[name as OperationName] as (context: OperationContext, args: unknown) => Promise<unknown>)(context, args);
}
