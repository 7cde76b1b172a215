/**
 * What a tab and the tablet's database worker say to each other (DESIGN.md §5: one hop per
 * operation). A tab talks only to its own worker, by `postMessage`; that worker either is the
 * leader (it runs PGlite and answers) or relays the same messages to the leader's worker over a
 * BroadcastChannel. Either way one operation — a query, a recorded command with all its
 * statements, a keystroke's rows and count — is one request and one answer.
 */
import type { OperationName, OperationArgs, OperationResult } from './operations.ts';

/** A live query: its rows are pushed again whenever a table it reads changes. */
export interface LiveSpec {
  sql: string;
  params?: unknown[];
  /** Only these rows of the results (`sql` must end with its ORDER BY). */
  window?: { offset: number; limit: number };
  /** Counts every row `sql` would return, without sorting them; sent as `totalCount`. */
  countSql?: string;
}

export interface LiveResult<T = Record<string, unknown>> {
  rows: T[];
  totalCount?: number;
  offset?: number;
  limit?: number;
}

export type Request =
  | { kind: 'query'; sql: string; params?: unknown[] }
  | { kind: 'exec'; sql: string }
  | { kind: 'run'; operation: OperationName; args: unknown }
  | { kind: 'subscribe'; id: string; spec: LiveSpec }
  | { kind: 'unsubscribe'; id: string };

/** A request as sent: numbered by its sender, so the answer finds its caller. */
export type Envelope = Request & { requestId: number };

export interface SerializedError {
  name: string;
  message: string;
  /** ApiRequestError's fields, when it is one. */
  status?: number;
  code?: string;
  fields?: Record<string, string[]>;
  retryAfterSeconds?: number;
}

export type Reply =
  | { kind: 'answer'; requestId: number; result: unknown }
  | { kind: 'failure'; requestId: number; error: SerializedError }
  | { kind: 'live'; id: string; result: LiveResult }
  | { kind: 'live-failure'; id: string; error: SerializedError }
  /** The worker found no database to open, or lost it: the app cannot go on. */
  | { kind: 'fatal'; error: SerializedError };

/** The answers a tab expects per operation. */
export type RunResult<K extends OperationName> = OperationResult<K>;
export type RunArgs<K extends OperationName> = OperationArgs<K>;

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { status, code, fields, retryAfterSeconds } = error as { status?: unknown; code?: unknown; fields?: unknown; retryAfterSeconds?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof status === 'number' && { status }),
    ...(typeof code === 'string' && { code }),
    ...(fields !== null && typeof fields === 'object' && { fields: fields as Record<string, string[]> }),
    ...(typeof retryAfterSeconds === 'number' && { retryAfterSeconds }),
  };
}
