import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { TRAINING_ACCOUNTS, type TrainingAccount } from '@cimco/contract';
import { ApiRequestError } from '../api/server-api.ts';
import { useDatabase } from '../db/react.ts';
import { trainingFor } from '../db/yard-choice.ts';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';
import { TrainingBanner } from './TrainingBanner.tsx';

/**
 * Sign-in in the training yard: pick one of its people, no password (everything there is made
 * up, and the server keeps it apart from the live yard). Also shown when the training yard was
 * reset under this tablet: its old session ended, and the fresh yard is one tap away.
 */
export function TrainingSignIn() {
  const { t } = useTranslation();
  const db = useDatabase();
  const [entering, setEntering] = useState<TrainingAccount | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function enter(account: TrainingAccount) {
    setEntering(account);
    setError(null);
    try {
      await db.signInTraining(account, trainingFor());
    } catch (caught) {
      setError(enterErrorText(caught, t));
    } finally {
      setEntering(null);
    }
  }

  return (
    <>
      <TrainingBanner />
      <main className="app-main">
        <section className="card" aria-labelledby="training-pick-title">
          <h2 id="training-pick-title">{t('training.pickTitle')}</h2>
          <p>{t('training.pickIntro')}</p>
          <ul className="training-people">
            {TRAINING_ACCOUNTS.map(({ account, displayName, role }) => (
              <li key={account}>
                <button type="button" className="secondary" disabled={entering !== null} onClick={() => void enter(account)}>
                  <strong>{displayName}</strong> <span>{t(`training.roles.${role}`)}</span>
                </button>
              </li>
            ))}
          </ul>
          {entering && <p aria-live="polite">{t('training.entering')}</p>}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <LanguageSwitch className="login-language" />
        </section>
      </main>
    </>
  );
}

function enterErrorText(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiRequestError)) return t('common.somethingWentWrong');
  if (error.status === 0) return t('training.needsConnection');
  if (error.code === 'yard_required') return t('training.yardRequired');
  if (error.code === 'unknown_yard') return t('training.noYard');
  return t('common.somethingWentWrong');
}
