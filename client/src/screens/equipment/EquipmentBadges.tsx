import type { EquipmentStatus } from '@cimco/contract';
import { useTranslation } from 'react-i18next';

/** Running / Maintenance / Down / Retired, coloured, always with the word. */
export function StatusBadge({ status }: { status: EquipmentStatus }) {
  const { t } = useTranslation();
  return <span className={`badge equipment-status-badge equipment-status-${status}`}>{t(`equipment.status.${status}`, { defaultValue: status })}</span>;
}
