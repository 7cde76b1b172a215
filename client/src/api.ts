import {
  apiErrorSchema,
  loginRequestSchema,
  sessionSchema,
  userSchema,
  type Session,
  type User,
} from '@cimco/contract';

/** A failed API call, carrying the server's `{error, message}` body when there was one. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
  }
}

async function request(path: string, init: RequestInit = {}, accessToken?: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`);

  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiRequestError(0, 'network_error', 'Cannot reach the server. Check the Wi-Fi and try again.');
  }
  if (response.ok) return response;

  const body: unknown = await response.json().catch(() => undefined);
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) throw new ApiRequestError(response.status, parsed.data.error, parsed.data.message);
  throw new ApiRequestError(
    response.status,
    'http_error',
    `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  );
}

export async function login(username: string, password: string): Promise<Session> {
  const parsed = loginRequestSchema.safeParse({ username, password });
  if (!parsed.success) throw new ApiRequestError(0, 'invalid_request', 'Enter your username and password.');
  const body = parsed.data;
  const response = await request('/api/auth/login', { method: 'POST', body: JSON.stringify(body) });
  return sessionSchema.parse(await response.json());
}

/** `body[key]` when body is a JSON object, else undefined. */
function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

export async function fetchMe(accessToken: string): Promise<User> {
  const response = await request('/api/me', {}, accessToken);
  return userSchema.parse(field(await response.json(), 'user'));
}

export async function logout(session: Session): Promise<void> {
  await request(
    '/api/auth/logout',
    { method: 'POST', body: JSON.stringify({ refreshToken: session.refreshToken }) },
    session.accessToken,
  );
}

export interface Health {
  status: string;
  database: string;
  schemaVersion: string | null;
}

export async function fetchHealth(): Promise<Health> {
  const response = await request('/api/health');
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

const SESSION_KEY = 'cimco.session';

/** The stored session, or null when there is none or it no longer matches the contract. */
export function loadSession(): Session | null {
  const raw = localStorage.getItem(SESSION_KEY);
  if (raw === null) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: fall through and drop it.
  }
  localStorage.removeItem(SESSION_KEY);
  return null;
}

export function saveSession(session: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(SESSION_KEY);
}
