import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase } from '../../db/react.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { formatNumber } from '../../ui/format.ts';

export interface CountedPart {
  id: string;
  partNumber: string;
  name: string;
  quantity: number;
}

/** "Count now" from a stock discrepancy: what is on the shelf becomes the stock (`stock.adjust`, reason count). */
export function CountDialog({ part, onClose }: { part: CountedPart; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const [counted, setCounted] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const title = t('conflicts.countTitle', { part: `${part.partNumber} ${part.name}` });

  async function save() {
    const n = /^\d+$/.test(counted.trim()) ? Number(counted.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      setError(t('conflicts.countInvalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await db.record('stock.adjust', { reason: 'count', movementId: uuidv7(), partId: part.id, counted: n });
      setSaved(n);
    } catch {
      setError(t('common.somethingWentWrong'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog label={t('conflicts.countNow')} heading={title} onClose={onClose} testId="count-dialog">
      <form
        className="cy-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <p className="field-hint">{t('conflicts.countHint')}</p>
        <label htmlFor="conflict-count">{t('conflicts.counted')}</label>
        <input id="conflict-count" data-autofocus inputMode="numeric" value={counted} onChange={(event) => setCounted(event.target.value)} aria-invalid={error ? true : undefined} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {saved !== null && (
          <p role="status" data-testid="count-saved">
            {t('conflicts.countSaved', { quantity: formatNumber(saved, i18n.language) })}
          </p>
        )}
        <div className="form-actions">
          {saved === null ? (
            <button type="submit" disabled={busy}>
              {t('conflicts.saveCount')}
            </button>
          ) : null}
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
