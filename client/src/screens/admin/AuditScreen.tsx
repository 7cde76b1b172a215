import { useMemo } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { useUrlFilters } from '../../ui/use-url-filters.ts';

export const AUDIT_PAGE_SIZE = 50;

interface AuditFilters {
  user: string;
  entity: string;
  /** Local calendar days, YYYY-MM-DD; both inclusive. */
  from: string;
  to: string;
  page: string;
}
const NO_FILTERS: AuditFilters = { user: '', entity: '', from: '', to: '', page: '1' };

interface AuditRow {
  id: string;
  server_time: string;
  command: string;
  entity: string | null;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  user_name: string | null;
}

/** The tables an audit row can be about, for the filter. */
const ENTITIES = ['parts', 'stock_movements', 'tasks', 'equipment', 'logs', 'incoming_orders', 'knowledge', 'knowledge_votes', 'conflicts', 'users', 'devices'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Midnight at the start of a local day, as an instant (the tablet's time zone). */
function startOfDay(day: string, plusDays = 0): string | null {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return null;
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The filtered rows' SQL (newest first) and its parameters. */
function auditQuery(filters: AuditFilters): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  // A hand-edited URL must not break the query: a user that is not an id filters nothing.
  if (UUID.test(filters.user)) clauses.push(`a.user_id = ${param(filters.user)}::uuid`);
  if (filters.entity) clauses.push(`a.entity = ${param(filters.entity)}`);
  const from = filters.from ? startOfDay(filters.from) : null;
  const to = filters.to ? startOfDay(filters.to, 1) : null;
  if (from) clauses.push(`a.server_time >= ${param(from)}::timestamptz`);
  if (to) clauses.push(`a.server_time < ${param(to)}::timestamptz`);
  return { where: clauses.length > 0 ? `where ${clauses.join(' and ')}` : '', params };
}

const SELECT = `select a.id, a.server_time::text as server_time, a.command, a.entity, a.entity_id::text as entity_id, a.before, a.after,
  u.display_name as user_name from audit_log a left join users u on u.id = a.user_id`;
const ORDER = 'order by a.server_time desc, a.id desc';

function commandName(command: string, t: TFunction): string {
  if (command === 'user.setPassword') return t('admin.audit.setPassword');
  return t(`commands.${command}`, { defaultValue: command });
}

/** A change as short text: `field: before → after` for what changed. */
function changeText(before: unknown, after: unknown): string {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const show = (value: unknown) => (value === undefined ? '∅' : typeof value === 'string' ? value : JSON.stringify(value));
  return Object.keys(a)
    .filter((key) => a[key] !== undefined && JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map((key) => (key in b ? `${key}: ${show(b[key])} → ${show(a[key])}` : `${key}: ${show(a[key])}`))
    .join('; ');
}

/**
 * Who did what, when (`/admin/audit`): the synced audit log, read on the tablet (so it works
 * offline), newest first, filtered by person, kind of record and days (all in the query string),
 * fifty to a page, and exported to CSV with the same filters.
 */
export function AuditScreen() {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const [filters, setFilters] = useUrlFilters<AuditFilters>(NO_FILTERS);
  const page = Math.max(1, Number.parseInt(filters.page, 10) || 1);
  const query = useMemo(() => auditQuery(filters), [filters]);
  const rows = useLiveQuery<AuditRow>(`${SELECT} ${query.where} ${ORDER} limit ${AUDIT_PAGE_SIZE} offset ${(page - 1) * AUDIT_PAGE_SIZE}`, query.params)?.rows;
  const total = useLiveQuery<{ count: number }>(`select count(*)::int as count from audit_log a ${query.where}`, query.params)?.rows[0]?.count;
  const people = useLiveQuery<{ id: string; display_name: string }>('select id, display_name from users order by lower(display_name)', [])?.rows;
  const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const set = (change: Partial<AuditFilters>) => setFilters((f) => ({ ...f, page: '1', ...change }));

  const columns: ExportColumn<AuditRow>[] = [
    { header: t('admin.audit.when'), value: (r) => formatDateTime(r.server_time, i18n.language) },
    { header: t('admin.audit.who'), value: (r) => r.user_name },
    { header: t('admin.audit.what'), value: (r) => commandName(r.command, t) },
    { header: t('admin.audit.entity'), value: (r) => (r.entity ? t(`admin.entities.${r.entity}`, { defaultValue: r.entity }) : '') },
    { header: t('admin.audit.entityId'), value: (r) => r.entity_id },
    { header: t('admin.audit.change'), value: (r) => changeText(r.before, r.after) },
  ];
  const allRows = async () => (await db.query<AuditRow>(`${SELECT} ${query.where} ${ORDER}`, query.params)).rows;

  return (
    <div className="admin-audit">
      <div className="filter-bar" role="search">
        <div className="filter-select">
          <label htmlFor="audit-user">{t('admin.audit.who')}</label>
          <select id="audit-user" value={filters.user} onChange={(e) => set({ user: e.target.value })}>
            <option value="">{t('admin.audit.everyone')}</option>
            {people?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.display_name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-select">
          <label htmlFor="audit-entity">{t('admin.audit.entity')}</label>
          <select id="audit-entity" value={filters.entity} onChange={(e) => set({ entity: e.target.value })}>
            <option value="">{t('admin.audit.allEntities')}</option>
            {ENTITIES.map((entity) => (
              <option key={entity} value={entity}>
                {t(`admin.entities.${entity}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-select">
          <label htmlFor="audit-from">{t('admin.audit.from')}</label>
          <input id="audit-from" type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="filter-select">
          <label htmlFor="audit-to">{t('admin.audit.to')}</label>
          <input id="audit-to" type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <ExportButton list={t('csv.files.audit')} columns={columns} rows={allRows} />
      </div>
      <p className="list-summary" role="status" aria-live="polite" data-testid="audit-count">
        {total === undefined ? t('common.loading') : t('admin.audit.count', { count: total, n: formatNumber(total, i18n.language) })}
      </p>
      {rows && rows.length === 0 && <p className="empty">{t('admin.audit.none')}</p>}
      {rows && rows.length > 0 && (
        <table className="admin-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.audit.when')}</th>
              <th scope="col">{t('admin.audit.who')}</th>
              <th scope="col">{t('admin.audit.what')}</th>
              <th scope="col">{t('admin.audit.change')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="audit-row" data-command={row.command}>
                <td>{formatDateTime(row.server_time, i18n.language)}</td>
                <td>{row.user_name ?? '—'}</td>
                <td>
                  {commandName(row.command, t)}
                  {row.entity && <span className="admin-sub">{t(`admin.entities.${row.entity}`, { defaultValue: row.entity })}</span>}
                </td>
                <td className="audit-change">{changeText(row.before, row.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="admin-pager" aria-label={t('admin.audit.pages')}>
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setFilters((f) => ({ ...f, page: String(page - 1) }))}>
          {t('admin.audit.newer')}
        </button>
        <span>{t('admin.audit.page', { page: formatNumber(page, i18n.language), pages: formatNumber(pages, i18n.language) })}</span>
        <button type="button" className="secondary" disabled={page >= pages} onClick={() => setFilters((f) => ({ ...f, page: String(page + 1) }))}>
          {t('admin.audit.older')}
        </button>
      </nav>
    </div>
  );
}
