import {
  apiErrorSchema,
  loginRequestSchema,
  mutationResultSchema,
  sessionSchema,
  trainingSessionSchema,
  trainingSignInRequestSchema,
  userSchema,
  type CommandEnvelope,
  type TrainingAccount,
  type MutationResult,
  type Session,
  type User,
} from '@cimco/contract';
import { z } from 'zod';

/**
 * The server's HTTP API as the tablet uses it. The base URL is '' on the page (same origin) and
 * the server's origin in the PGlite worker and in Node tests. Failures are ApiRequestError: status 0
 * when the server could not be reached at all.
 */

/** A failed API call, carrying the server's `{error, message}` body when there was one. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** For validation failures: the messages per field (e.g. `commands.3.name`). */
  readonly fields: Record<string, string[]> | undefined;
  /** How long the server asks to wait before trying again (its Retry-After), in seconds. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, fields?: Record<string, string[]>, retryAfterSeconds?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Where the server is, and the fetch to reach it with (tests pass one that can go offline). */
export interface ServerTarget {
  baseUrl: string;
  fetch?: typeof fetch;
  /** How long a request may go unanswered before it is given up (default REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * A request unanswered this long is given up as a network error. A Wi-Fi that drops a tablet while
 * it roams can leave a connection open that will never answer; the uploader waits on its upload,
 * with the sync stepped aside, so without a limit the tablet would neither send nor receive again.
 * Giving up is safe: an upload is sent again with the same mutation ids, answered once.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

async function request(server: ServerTarget, path: string, init: RequestInit = {}, accessToken?: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`);

  const timeout = AbortSignal.timeout(server.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (server.fetch ?? fetch)(server.baseUrl + path, { ...init, headers, signal });
  } catch (error) {
    // The fetch's own error is kept as the cause: it tells a refused connection from a cut one.
    throw new ApiRequestError(0, 'network_error', 'Cannot reach the server. Check the Wi-Fi and try again.', undefined, undefined, error);
  }
  if (response.ok) return response;

  const body: unknown = await response.json().catch(() => undefined);
  const parsed = apiErrorSchema.safeParse(body);
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  if (parsed.success) {
    throw new ApiRequestError(response.status, parsed.data.error, parsed.data.message, parsed.data.fields, Number.isNaN(retryAfter) ? undefined : retryAfter);
  }
  throw new ApiRequestError(
    response.status,
    'http_error',
    `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  );
}

export async function login(
  server: ServerTarget,
  username: string,
  password: string,
  device: { id: string; secret: string; name?: string },
): Promise<Session> {
  const parsed = loginRequestSchema.safeParse({ username, password, device });
  if (!parsed.success) throw new ApiRequestError(0, 'invalid_request', 'Enter your username and password.');
  const body = parsed.data;
  const response = await request(server, '/api/auth/login', { method: 'POST', body: JSON.stringify(body) });
  return sessionSchema.parse(await response.json());
}

/** Enters a training yard as one of its people (no password: sync-server/src/training/routes.ts). */
export async function trainingLogin(
  server: ServerTarget,
  account: TrainingAccount,
  site: string | undefined,
  device: { id: string; secret: string; name?: string },
): Promise<Session> {
  const body = trainingSignInRequestSchema.parse({ account, ...(site && { site }), device });
  const response = await request(server, '/api/auth/training', { method: 'POST', body: JSON.stringify(body) });
  return trainingSessionSchema.parse(await response.json());
}

/** `body[key]` when body is a JSON object, else undefined. */
function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

export async function fetchMe(server: ServerTarget, accessToken: string): Promise<User> {
  const response = await request(server, '/api/me', {}, accessToken);
  return userSchema.parse(field(await response.json(), 'user'));
}

export async function logout(server: ServerTarget, tokens: { accessToken: string; refreshToken: string }): Promise<void> {
  await request(
    server,
    '/api/auth/logout',
    { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) },
    tokens.accessToken,
  );
}

/**
 * Trades a refresh token for a new session (the old token is used up), the tablet proving it is
 * the one the session was started on. Asking again with the same token shortly after, while the
 * answer's token is unused, gets the same answer (the server's grace window for lost answers).
 */
export async function refreshSession(server: ServerTarget, refreshToken: string, device: { id: string; secret: string }): Promise<Session> {
  const response = await request(server, '/api/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken, device }) });
  return sessionSchema.parse(await response.json());
}

const mutationResponseSchema = z.object({ results: z.array(mutationResultSchema) });

/** Posts one batch of commands; the server answers each, in order. */
export async function postMutations(server: ServerTarget, accessToken: string, deviceId: string, commands: CommandEnvelope[]): Promise<MutationResult[]> {
  const response = await request(server, '/api/mutations', { method: 'POST', body: JSON.stringify({ deviceId, commands }) }, accessToken);
  return mutationResponseSchema.parse(await response.json()).results;
}

export interface Health {
  status: string;
  database: string;
  schemaVersion: string | null;
}

export async function fetchHealth(server: ServerTarget): Promise<Health> {
  const response = await request(server, '/api/health');
  const body: unknown = await response.json();
  const text = (key: string): string | null => {
    const value = field(body, key);
    return typeof value === 'string' ? value : null;
  };
  return {
    status: text('status') ?? 'unknown',
    database: text('database') ?? 'unknown',
    schemaVersion: text('schemaVersion'),
  };
}
