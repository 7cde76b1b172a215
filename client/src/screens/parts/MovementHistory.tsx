import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useLiveQuery } from '../../db/react.ts';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MOVEMENTS_COUNT_SQL, MOVEMENTS_SQL, type MovementRow } from './parts-query.ts';
import { MovementsExportButton } from './PartsExportButton.tsx';

const FIRST_PAGE = 20;

const REASONS = ['used', 'received', 'count', 'adjust', 'transfer'] as const;
type Reason = (typeof REASONS)[number];

/** A part's stock movements, newest first, including this tablet's not yet confirmed ones. */
export function MovementHistory({ partId, partNumber, unit }: { partId: string; partNumber: string; unit: string | null }) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const [limit, setLimit] = useState(FIRST_PAGE);
  const rows = useLiveQuery<MovementRow>(MOVEMENTS_SQL, [partId, limit])?.rows;
  const total = useLiveQuery<{ count: number }>(MOVEMENTS_COUNT_SQL, [partId])?.rows[0]?.count ?? 0;
  const number = new Intl.NumberFormat(i18n.language, { signDisplay: 'exceptZero' });
  const plain = new Intl.NumberFormat(i18n.language);
  const dateTime = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  const reasonLabel = (reason: string) => (REASONS.includes(reason as Reason) ? t(`parts.reason.${reason as Reason}`) : reason);

  return (
    <section className="movement-history" aria-labelledby={`${ids}-title`}>
      <div className="movement-history-header">
        <h3 id={`${ids}-title`} className="part-detail-section">
          {t('parts.history')}
        </h3>
        {total > 0 && <MovementsExportButton partId={partId} partNumber={partNumber} />}
      </div>
      {rows === undefined ? (
        <p className="notice">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="notice">{t('parts.noMovements')}</p>
      ) : (
        <ol className="movement-list" data-testid="movement-list">
          {rows.map((m) => (
            <li
              key={m.id}
              className={m.pending ? 'movement is-pending' : 'movement'}
              data-testid="movement-row"
              data-reason={m.reason}
              data-delta={m.delta}
              data-pending={m.pending ? 'true' : 'false'}
            >
              <span className="movement-when">
                <time dateTime={m.at}>{dateTime.format(new Date(m.at))}</time>
                {m.author && <span className="movement-author"> · {m.author}</span>}
              </span>
              <span className="movement-what">
                <strong className={`movement-reason reason-${m.reason}`}>{reasonLabel(m.reason)}</strong>{' '}
                {m.reason === 'transfer' ? (
                  <span className="movement-bins">
                    {m.from_location ?? '—'} → {m.to_location ?? '—'}
                  </span>
                ) : (
                  <span className={`movement-delta num ${m.delta < 0 ? 'is-negative' : m.delta > 0 ? 'is-positive' : ''}`}>
                    {number.format(m.delta)} {unit ?? ''}
                  </span>
                )}
                {m.quantity_after != null && m.reason !== 'transfer' && (
                  <span className="movement-after"> {t('parts.quantityAfter', { quantity: plain.format(m.quantity_after) })}</span>
                )}
                {m.pending && <PendingMarker />}
              </span>
              {m.note && <span className="movement-note">{m.note}</span>}
            </li>
          ))}
        </ol>
      )}
      {rows !== undefined && total > rows.length && (
        <button type="button" className="secondary" onClick={() => setLimit((l) => l + 50)}>
          {t('parts.showMore', { count: total - rows.length })}
        </button>
      )}
    </section>
  );
}
