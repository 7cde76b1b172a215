import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalSession } from '../session/local-session.ts';
import { callServer, isOffline } from '../screens/admin/server-call.ts';
import { formatDateTime } from '../ui/format.ts';

/**
 * The admin's reset of the training yard (POST /api/admin/training/reset): a fresh copy of the
 * demo data; whoever practises there is signed out and picks a person again.
 */
export function TrainingReset({ session }: { session: LocalSession }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'done' | 'error'; text: string } | null>(null);

  async function reset() {
    if (!window.confirm(t('training.resetConfirm'))) return;
    setBusy(true);
    setMessage(null);
    try {
      await callServer(session, '/api/admin/training/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      setMessage({ kind: 'done', text: t('training.resetDone', { time: formatDateTime(new Date().toISOString(), i18n.language) }) });
    } catch (caught) {
      setMessage({ kind: 'error', text: isOffline(caught) ? t('training.resetNeedsConnection') : t('common.somethingWentWrong') });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card training-reset" aria-labelledby="training-reset-title">
      <h3 id="training-reset-title">{t('training.resetTitle')}</h3>
      <p>{t('training.resetIntro')}</p>
      <button type="button" className="danger" disabled={busy} onClick={() => void reset()}>
        {busy ? t('training.resetting') : t('training.reset')}
      </button>
      {message && (
        <p className={message.kind === 'error' ? 'error' : 'notice'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
