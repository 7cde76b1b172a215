import { mayRun } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';

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
}

// What each conflict is about, named the way the crew knows it.
const CONFLICTS_SQL = `
  select c.id, c.kind, c.entity, c.field, c.overwritten_value, c.winning_value, c.created_at::text as created_at, c.pending,
         coalesce(t.title, p.part_number || ' ' || p.name, e.tag || ' ' || e.name, o.order_number) as label,
         u.display_name as author
    from conflicts c
    left join tasks t on c.entity = 'tasks' and t.id = c.entity_id
    left join parts p on c.entity = 'parts' and p.id = c.entity_id
    left join equipment e on c.entity = 'equipment' and e.id = c.entity_id
    left join incoming_orders o on c.entity = 'incoming_orders' and o.id = c.entity_id
    left join users u on u.id = c.user_id
   where c.status = 'open'
   order by c.created_at desc`;

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The supervisor's review of what concurrent edits overwrote and what the server refused: each
 * shows both values; an overwritten value can be restored with one tap, anything can be dismissed.
 */
export function ConflictsScreen({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const rows = useLiveQuery<ConflictRow>(CONFLICTS_SQL, [])?.rows;
  const [error, setError] = useState<string | null>(null);
  const mayResolve = mayRun(session.role, 'conflict.resolve');

  async function resolve(id: string, action: 'restore' | 'dismiss') {
    setError(null);
    try {
      await db.record('conflict.resolve', { id, action });
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
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
          <li key={row.id} className="attention-item" data-testid="conflict-row" data-entity={row.entity} data-field={row.field ?? ''}>
            <h3>
              {row.label ?? row.entity} {row.field && <span className="conflict-field">· {row.field}</span>}
            </h3>
            <p className="attention-reason">{t(`conflicts.kinds.${row.kind}`, { defaultValue: row.kind })}</p>
            <dl className="attention-entered">
              {row.kind === 'overwritten' ? (
                <>
                  <div>
                    <dt>{t('conflicts.overwritten')}</dt>
                    <dd data-testid="conflict-overwritten">{show(row.overwritten_value)}</dd>
                  </div>
                  <div>
                    <dt>{t('conflicts.winning')}</dt>
                    <dd data-testid="conflict-winning">{show(row.winning_value)}</dd>
                  </div>
                </>
              ) : (
                <div>
                  <dt>{t('conflicts.entered')}</dt>
                  <dd>{show(row.winning_value ?? row.overwritten_value)}</dd>
                </div>
              )}
              {row.author && (
                <div>
                  <dt>{t('conflicts.by')}</dt>
                  <dd>{row.author}</dd>
                </div>
              )}
            </dl>
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
          </li>
        ))}
      </ul>
    </section>
  );
}
