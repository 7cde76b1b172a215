import type { EquipmentStatus } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDatabase } from '../../db/react.ts';
import { CommandNotAllowedError } from '../../outbox/record-command.ts';
import { TAP_STATUSES, type TapStatus } from './equipment-model.ts';

/**
 * Running / Maintenance / Down: one tap records equipment.setStatus and the machine shows its new
 * status at once. The current status is pressed (aria-pressed). A retired machine has none.
 */
export function StatusButtons({
  machine,
  note,
  onRecorded,
  size = 'large',
}: {
  machine: { id: string; tag: string; status: EquipmentStatus };
  note?: string;
  onRecorded?: (status: TapStatus) => void;
  size?: 'large' | 'compact';
}) {
  const { t } = useTranslation();
  const db = useDatabase();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (machine.status === 'retired') {
    return <p className="status-retired-note">{t('equipment.retiredNote')}</p>;
  }

  async function set(status: TapStatus) {
    if (busy || status === machine.status) return;
    setBusy(true);
    setError(null);
    try {
      await db.record('equipment.setStatus', { id: machine.id, status, note: note?.trim() || null });
      onRecorded?.(status);
    } catch (caught) {
      setError(caught instanceof CommandNotAllowedError ? t('equipment.notAllowed') : t('common.somethingWentWrong'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={`status-buttons status-buttons-${size}`}>
      {/* Named "Set CIMCO001 to", not "…status…": the status filter's label stays unique. */}
      <div role="group" aria-label={t('equipment.setTo', { tag: machine.tag })} className="status-button-group">
        {TAP_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            className={`status-button status-button-${status}`}
            aria-pressed={machine.status === status}
            data-status-button={status}
            // On the machine's page, focus starts on the current status (not the note: no keyboard pops up).
            data-autofocus={size === 'large' && machine.status === status ? true : undefined}
            disabled={busy}
            onClick={() => void set(status)}
          >
            {t(`equipment.status.${status}`)}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
