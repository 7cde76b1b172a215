import { useTranslation } from 'react-i18next';
import type { StockStatus } from './parts-query.ts';

/** Stock status in words and colour (the word carries the meaning; the colour helps at a glance). */
export function StockBadge({ status }: { status: StockStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`stock-badge stock-${status}`} data-testid="stock-status" data-status={status} title={t(`parts.statusHint.${status}`)}>
      {t(`parts.status.${status}`)}
    </span>
  );
}
