import { useTranslation } from 'react-i18next';

/** The change is on this tablet and not yet accepted by the server. */
export function PendingMarker() {
  const { t } = useTranslation();
  return (
    <span className="pending-marker" title={t('common.pendingHint')} data-testid="pending-marker">
      {t('common.pending')}
    </span>
  );
}
