import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { switchYard } from '../db/yard-choice.ts';
import type { LocalSession } from '../session/local-session.ts';
import { Dialog } from '../ui/Dialog.tsx';

/** The live yard's way into its training yard: one button in the header, and a word of what it is. */
export function TrainingSwitch({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button type="button" className="secondary bar-button" onClick={() => setAsking(true)}>
        {t('training.switch')}
      </button>
      {asking && (
        <Dialog label={t('training.switchTitle')} heading={t('training.switchTitle')} onClose={() => setAsking(false)}>
          <p>{t('training.switchBody')}</p>
          <div className="form-actions">
            <button type="button" data-autofocus onClick={() => switchYard('training', session.siteId)}>
              {t('training.switchConfirm')}
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
