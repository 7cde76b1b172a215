import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiRequestError } from '../api/server-api.ts';
import { useDatabase } from '../db/react.ts';
import { switchYard } from '../db/yard-choice.ts';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';

/**
 * Sign-in. `expiredUser` is set when the stored session could not be renewed: the queue waits
 * for this person to sign in again, so the form says so and fills in the name.
 */
export function LoginScreen({ expiredUser }: { expiredUser?: string }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const [username, setUsername] = useState(expiredUser ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await db.signIn(username, password);
    } catch (caught) {
      setError(caught instanceof ApiRequestError ? signInErrorText(t, caught) : t('common.somethingWentWrong'));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="app-main">
      <form className="card" aria-labelledby="login-title" onSubmit={(event) => void submit(event)}>
        <h2 id="login-title">{t('login.title')}</h2>
        {expiredUser && <p className="notice">{t('login.sessionExpired')}</p>}
        <label htmlFor="username">{t('login.username')}</label>
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
        <label htmlFor="password">{t('login.password')}</label>
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
          {busy ? t('login.signingIn') : t('login.signIn')}
        </button>
        <LanguageSwitch className="login-language" />
        <button type="button" className="link" onClick={() => switchYard('training')}>
          {t('training.fromLogin')}
        </button>
      </form>
    </main>
  );
}

/**
 * What a refused sign-in says, in the person's language: the server's reasons it names by code,
 * a general sentence otherwise (never the server's English message in another language).
 */
function signInErrorText(t: TFunction, error: ApiRequestError): string {
  if (error.status === 0) return t('login.cannotReachServer');
  switch (error.code) {
    case 'invalid_credentials':
      return t('login.wrongCredentials');
    case 'account_disabled':
      return t('login.accountDisabled');
    case 'device_not_yours':
      return t('login.deviceNotYours');
    case 'device_revoked':
      return t('login.deviceRevoked');
    case 'rate_limited': {
      const seconds = error.retryAfterSeconds;
      if (seconds === undefined) return t('common.somethingWentWrong');
      return seconds < 60 ? t('login.tooManySeconds', { count: seconds }) : t('login.tooManyMinutes', { count: Math.ceil(seconds / 60) });
    }
    default:
      return t('common.somethingWentWrong');
  }
}
