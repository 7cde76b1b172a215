import { useTranslation } from 'react-i18next';
import { switchYard } from '../db/yard-choice.ts';

/** Across the top of every screen in the training yard, so nobody takes it for the live yard. */
export function TrainingBanner() {
  const { t } = useTranslation();
  return (
    <div className="training-banner" role="status" data-testid="training-banner">
      <span>{t('training.banner')}</span>
      <button type="button" className="secondary" onClick={() => switchYard('live')}>
        {t('training.backToLive')}
      </button>
    </div>
  );
}
