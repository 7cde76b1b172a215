import { apiErrorSchema } from '@cimco/contract';
import { useLiveQuery } from '../../db/react.ts';
import { ApiRequestError } from '../../api/server-api.ts';
import type { LocalSession } from '../../session/local-session.ts';

/**
 * A call to the server from a screen that needs it there and then (the import, the admin API):
 * the signed-in session's access token (kept fresh by the leader's sync), and every failure an
 * ApiRequestError — status 0 when the server cannot be reached, so the screen can say "offline".
 */
export async function callServer(session: LocalSession, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${session.accessToken}`);
  let response: Response;
  try {
    // Without credentials (the token is a header, not a cookie): Chromium keeps such requests on
    // connections of their own, so this does not queue behind the sync's long-polls holding the six
    // HTTP/1.1 connections to the server (see leader/reachability.ts).
    response = await fetch(path, { ...init, headers, credentials: 'omit' });
  } catch {
    throw new ApiRequestError(0, 'network_error', 'Cannot reach the server.');
  }
  if (response.ok) return response;
  const parsed = apiErrorSchema.safeParse(await response.json().catch(() => undefined));
  if (parsed.success) throw new ApiRequestError(response.status, parsed.data.error, parsed.data.message, parsed.data.fields);
  throw new ApiRequestError(response.status, 'http_error', `The server answered ${response.status}.`);
}

/** Whether the tablet's sync reaches the server now (false when it knows it does not). */
export function useServerReachable(): boolean {
  const online = useLiveQuery<{ online: boolean | null }>('select online from sync_state', [])?.rows[0]?.online;
  return online !== false;
}

/** True when a failure means "no network" rather than a refusal. */
export function isOffline(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 0;
}
