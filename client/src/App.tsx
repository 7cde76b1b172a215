import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Session, User } from '@cimco/contract';
import {
  ApiRequestError,
  clearSession,
  fetchHealth,
  fetchMe,
  loadSession,
  login,
  logout,
  saveSession,
  type Health,
} from './api.ts';

function errorText(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  return 'Something went wrong. Try again.';
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);

  const signedIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  }, []);

  const signedOut = useCallback((message?: string) => {
    clearSession();
    setNotice(message ?? null);
    setSession(null);
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>CIMCO Yard</h1>
      </header>
      <main className="app-main">
        {session ? (
          <SignedIn session={session} onSignedOut={signedOut} />
        ) : (
          <LoginForm notice={notice} onSignedIn={signedIn} />
        )}
      </main>
      <footer className="app-footer">
        <ServerHealth />
      </footer>
    </div>
  );
}

function LoginForm({ notice, onSignedIn }: { notice: string | null; onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(username, password));
    } catch (caught) {
      setError(errorText(caught));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-labelledby="login-title" onSubmit={(event) => void submit(event)}>
      <h2 id="login-title">Sign in</h2>
      {notice && <p className="notice">{notice}</p>}
      <label htmlFor="username">Username</label>
      <input
        id="username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        value={username}
        onChange={(event) => setUsername(event.target.value)}
      />
      <label htmlFor="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function SignedIn({ session, onSignedOut }: { session: Session; onSignedOut: (message?: string) => void }) {
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    fetchMe(session.accessToken).then(
      (me) => {
        if (!cancelled) setUser(me);
      },
      (caught: unknown) => {
        if (cancelled) return;
        if (caught instanceof ApiRequestError && caught.status === 401) {
          onSignedOut('Your session has ended. Sign in again.');
        } else {
          setError(errorText(caught));
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session.accessToken, onSignedOut]);

  async function signOut() {
    setBusy(true);
    try {
      await logout(session);
    } catch {
      // Sign out on this tablet even if the server cannot be told; the token expires on its own.
    }
    onSignedOut();
  }

  return (
    <section className="card" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      {user ? (
        <>
          <p className="signed-in-as">Signed in as {user.displayName}</p>
          <p>
            Role: <strong>{user.role}</strong>
          </p>
        </>
      ) : error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : (
        <p>Loading your account…</p>
      )}
      <button type="button" disabled={busy} onClick={() => void signOut()}>
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
    </section>
  );
}

function ServerHealth() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    fetchHealth().then(
      (answer) => {
        if (!cancelled) setHealth(answer);
      },
      (caught: unknown) => {
        if (!cancelled) setError(errorText(caught));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (error) return <p className="health health-bad">Server: {error}</p>;
  if (!health) return <p className="health">Server: checking…</p>;
  const ok = health.status === 'ok';
  return (
    <p className={ok ? 'health' : 'health health-bad'}>
      Server: {health.status}
      {health.schemaVersion && ` · schema ${health.schemaVersion}`}
    </p>
  );
}
