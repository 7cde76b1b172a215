import { mayRun } from '@cimco/contract';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { paths } from '../../app/paths.ts';
import { PlainFields, PlainValue, useFieldLabel, useReasonText } from '../../attention/plain.tsx';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { CountDialog, type CountedPart } from './CountDialog.tsx';
import './conflicts.css';

interface ConflictRow {
  id: string;
  kind: string;
  entity: string;
  label: string | null;
  field: string | null;
  overwritten_value: unknown;
  winning_value: unknown;
  author: string | null;
  created_at: string;
  pending: boolean;
  code: string | null;
  part_id: string | null;
  part_number: string | null;
  part_name: string | null;
  part_quantity: number | null;
}

// What each conflict is about, named the way the crew knows it. The refusal's code is known for
// this tablet's own commands (their results are synced to it); for another tablet's, the row it
// was about says why (a cancelled task, a deleted part, a retired machine, a closed order).
const CONFLICTS_SQL = `
  select c.id, c.kind, c.entity, c.field, c.overwritten_value, c.winning_value, c.created_at::text as created_at, c.pending,
         coalesce(t.title, p.part_number || ' ' || p.name, e.tag || ' ' || e.name, o.order_number) as label,
         u.display_name as author,
         coalesce(m.code, case
           when c.kind <> 'refused' then null
           when c.entity = 'tasks' and t.status = 'cancelled' and c.winning_value ? 'fix' then 'task_cancelled'
           when c.entity = 'tasks' then 'illegal_transition'
           when c.entity = 'parts' and p.deleted_at is not null then 'deleted'
           when c.entity = 'equipment' and e.status = 'retired' then 'retired'
           when c.entity = 'incoming_orders' and o.status = 'cancelled' then 'cancelled'
           when c.entity = 'incoming_orders' and o.status = 'received' then 'already_received'
         end) as code,
         p.id as part_id, p.part_number, p.name as part_name, p.quantity as part_quantity
    from conflicts c
    left join tasks t on c.entity = 'tasks' and t.id = c.entity_id
    left join parts p on c.entity = 'parts' and p.id = c.entity_id
    left join equipment e on c.entity = 'equipment' and e.id = c.entity_id
    left join incoming_orders o on c.entity = 'incoming_orders' and o.id = c.entity_id
    left join users u on u.id = c.user_id
    left join mutation_results_synced m on m.id = c.mutation_id
   where c.status = 'open'
   order by c.created_at desc`;

function numberIn(value: unknown, key: string): number | null {
  const n = value && typeof value === 'object' ? Number((value as Record<string, unknown>)[key]) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * The supervisor's review of what concurrent edits overwrote and what the server refused: each
 * shows both values; an overwritten value can be restored with one tap, anything can be dismissed.
 * A stock discrepancy says what happened in words and offers to count the part now.
 */
export function ConflictsScreen({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const rows = useLiveQuery<ConflictRow>(CONFLICTS_SQL, [])?.rows;
  const [error, setError] = useState<string | null>(null);
  const [counting, setCounting] = useState<CountedPart | null>(null);
  const mayResolve = mayRun(session.role, 'conflict.resolve');
  const mayCount = mayRun(session.role, 'stock.adjust');

  async function resolve(id: string, action: 'restore' | 'dismiss') {
    setError(null);
    try {
      await db.record('conflict.resolve', { id, action });
    } catch {
      setError(t('common.somethingWentWrong'));
    }
  }

  if (!rows) return <p>{t('common.loading')}</p>;
  return (
    <section className="screen conflicts" aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">{t('conflicts.title')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows.length === 0 && <p className="empty">{t('conflicts.none')}</p>}
      <ul className="attention-list">
        {rows.map((row) => (
          <li key={row.id} className="attention-item" data-testid="conflict-row" data-kind={row.kind} data-entity={row.entity} data-field={row.field ?? ''}>
            {row.kind === 'stock_discrepancy' ? (
              <StockDiscrepancy row={row} mayCount={mayCount} onCount={setCounting}>
                {mayResolve && !row.pending && (
                  <button type="button" className="secondary" onClick={() => void resolve(row.id, 'dismiss')}>
                    {t('conflicts.dismiss')}
                  </button>
                )}
              </StockDiscrepancy>
            ) : (
              <>
                <ConflictBody row={row} />
                {mayResolve && !row.pending && (
                  <div className="attention-actions">
                    {row.kind === 'overwritten' && (
                      <button type="button" onClick={() => void resolve(row.id, 'restore')}>
                        {t('conflicts.restore')}
                      </button>
                    )}
                    <button type="button" className="secondary" onClick={() => void resolve(row.id, 'dismiss')}>
                      {t('conflicts.dismiss')}
                    </button>
                  </div>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {counting && <CountDialog part={counting} onClose={() => setCounting(null)} />}
    </section>
  );
}

function ConflictBody({ row }: { row: ConflictRow }) {
  const { t, i18n } = useTranslation();
  const label = useFieldLabel();
  const reason = useReasonText();
  return (
    <>
      <h3>
        {row.label ?? t('attention.none_value')} {row.field && <span className="conflict-field">· {label(row.field)}</span>}
      </h3>
      <p className="attention-reason">
        {t(`conflicts.kinds.${row.kind}` as 'conflicts.kinds.overwritten', { defaultValue: t('conflicts.kinds.refused') })}
        {row.kind === 'refused' && row.code && <> {reason(row.code)}</>}
      </p>
      <dl className="attention-entered">
        {row.kind === 'overwritten' ? (
          <>
            <div>
              <dt>{t('conflicts.overwritten')}</dt>
              <dd data-testid="conflict-overwritten">
                <PlainValue field={row.field ?? ''} value={row.overwritten_value} about={row.entity} />
              </dd>
            </div>
            <div>
              <dt>{t('conflicts.winning')}</dt>
              <dd data-testid="conflict-winning">
                <PlainValue field={row.field ?? ''} value={row.winning_value} about={row.entity} />
              </dd>
            </div>
          </>
        ) : (
          <div>
            <dt>{t('conflicts.entered')}</dt>
            <dd>
              {row.winning_value && typeof row.winning_value === 'object' ? (
                <PlainFields values={row.winning_value as Record<string, unknown>} about={row.entity} />
              ) : (
                <PlainValue field={row.field ?? ''} value={row.winning_value ?? row.overwritten_value} about={row.entity} />
              )}
            </dd>
          </div>
        )}
        {row.author && (
          <div>
            <dt>{t('conflicts.by')}</dt>
            <dd>{row.author}</dd>
          </div>
        )}
        <div>
          <dt>{t('conflicts.when')}</dt>
          <dd>{formatDateTime(row.created_at, i18n.language)}</dd>
        </div>
      </dl>
    </>
  );
}

/** `{"quantity":1}` → `{"quantity":-1,"delta":-2}` read as "2 taken while the system showed 1 in stock: stock is now −1". */
function StockDiscrepancy({ row, mayCount, onCount, children }: { row: ConflictRow; mayCount: boolean; onCount: (part: CountedPart) => void; children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const before = numberIn(row.overwritten_value, 'quantity');
  const now = numberIn(row.winning_value, 'quantity');
  const delta = numberIn(row.winning_value, 'delta');
  const number = (n: number) => formatNumber(n, language, { signDisplay: 'negative' });
  return (
    <>
      <h3>
        {row.part_number ? (
          <Link to={paths.part(row.part_number)} data-testid="discrepancy-part">
            {row.part_number} {row.part_name}
          </Link>
        ) : (
          t('conflicts.unknownPart')
        )}
      </h3>
      <p className="attention-reason">{t('conflicts.kinds.stock_discrepancy')}</p>
      <p className="discrepancy-words" data-testid="discrepancy-words">
        {before !== null && now !== null && delta !== null && delta < 0
          ? t('conflicts.discrepancy', { taken: number(-delta), count: before, now: number(now) })
          : t('conflicts.discrepancyNow', { now: now === null ? '—' : number(now) })}
      </p>
      <dl className="attention-entered">
        {row.author && (
          <div>
            <dt>{t('conflicts.by')}</dt>
            <dd>{row.author}</dd>
          </div>
        )}
        <div>
          <dt>{t('conflicts.when')}</dt>
          <dd>{formatDateTime(row.created_at, language)}</dd>
        </div>
      </dl>
      <div className="attention-actions">
        {row.part_id && row.part_number && (
          <>
          {mayCount && (
            <button type="button" onClick={() => onCount({ id: row.part_id!, partNumber: row.part_number!, name: row.part_name ?? '', quantity: row.part_quantity ?? 0 })}>
              {t('conflicts.countNow')}
            </button>
          )}
          <Link className="conflict-link-button" to={paths.part(row.part_number)}>
            {t('conflicts.openPart')}
          </Link>
          </>
        )}
        {children}
      </div>
    </>
  );
}
