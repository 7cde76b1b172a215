import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useLiveQuery } from '../../db/react.ts';
import { useEffect, useId, useRef, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalSession } from '../../session/local-session.ts';
import { StockBadge } from './badges.tsx';
import { MovementHistory } from './MovementHistory.tsx';
import { PartCatalogActions } from './PartForm.tsx';
import { PART_DETAIL_SQL, stockStatus, type PartDetailRow } from './parts-query.ts';
import { StockActions } from './StockActions.tsx';

/**
 * One part in a modal side panel: its stock and status, the stock actions (use, receive, count,
 * adjust, move bin), its facts and its movement history. Escape, the Close button or a tap
 * outside closes it; focus stays inside while it is open (a modal <dialog>).
 */
export function PartDetail({
  partId,
  session,
  locations,
  onClose,
}: {
  partId: string;
  session: LocalSession;
  locations: string[];
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const result = useLiveQuery<PartDetailRow>(PART_DETAIL_SQL, [partId]);
  const part = result?.rows[0];

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const onBackdropClick = (event: MouseEvent<HTMLDialogElement>) => {
    // A click on the dialog element itself (not its content) is a click on the backdrop.
    if (event.target === dialogRef.current) onClose();
  };

  const number = new Intl.NumberFormat(i18n.language);
  const money = new Intl.NumberFormat(i18n.language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const dateTime = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <dialog
      ref={dialogRef}
      className="part-detail"
      aria-labelledby={`${ids}-title`}
      data-testid="part-detail"
      data-part-id={partId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={onBackdropClick}
    >
      <div className="part-detail-body">
        <header className="part-detail-header">
          <h2 id={`${ids}-title`}>
            <span className="part-number">{part?.part_number ?? ''}</span>
            <span className="part-detail-name">{part?.name ?? (result ? t('parts.notFound') : t('common.loading'))}</span>
          </h2>
          <button type="button" className="secondary part-detail-close" onClick={onClose}>
            {t('common.close')}
          </button>
        </header>

        {part && (
          <>
            {part.deleted_at && <p className="notice">{t('parts.deletedNotice')}</p>}
            <div className="part-detail-stock">
              <p className="part-detail-quantity">
                <span className="num" data-testid="part-detail-quantity" data-quantity={part.quantity}>
                  {number.format(part.quantity)}
                </span>{' '}
                <span className="part-unit">{part.unit ?? ''}</span>
              </p>
              <div className="part-detail-badges">
                <StockBadge status={stockStatus(part.quantity, part.min_quantity)} />
                {part.pending && <PendingMarker />}
              </div>
              <p className="part-detail-min">
                {t('parts.minQuantity')}: {part.min_quantity == null ? '—' : number.format(part.min_quantity)} · {t('parts.bin')}:{' '}
                <strong data-testid="part-detail-location">{part.location ?? '—'}</strong>
              </p>
            </div>

            <PartCatalogActions part={part} session={session} />
            {!part.deleted_at && <StockActions part={part} session={session} locations={locations} />}

            <h3 className="part-detail-section">{t('parts.details')}</h3>
            <dl className="part-facts">
              <Fact label={t('parts.category')} value={part.category} />
              <Fact label={t('parts.partType')} value={part.part_type} />
              <Fact label={t('parts.manufacturer')} value={part.manufacturer} />
              <Fact label={t('parts.supplier')} value={part.supplier} />
              <Fact label={t('parts.unitCost')} value={part.unit_cost == null ? null : money.format(Number(part.unit_cost))} />
              <Fact label={t('parts.leadTime')} value={part.lead_time_days == null ? null : t('parts.days', { count: part.lead_time_days })} />
              <Fact label={t('parts.wearRating')} value={part.wear_rating == null ? null : t('parts.wearOf', { rating: part.wear_rating })} />
              <Fact label={t('parts.lastUpdated')} value={part.updated_at ? dateTime.format(new Date(part.updated_at)) : null} />
              {part.description && <Fact label={t('parts.description')} value={part.description} wide />}
            </dl>

            <MovementHistory partId={part.id} partNumber={part.part_number} unit={part.unit} />
          </>
        )}
      </div>
    </dialog>
  );
}

function Fact({ label, value, wide }: { label: string; value: string | null; wide?: boolean }) {
  return (
    <div className={wide ? 'part-fact wide' : 'part-fact'}>
      <dt>{label}</dt>
      <dd>{value ?? '—'}</dd>
    </div>
  );
}
