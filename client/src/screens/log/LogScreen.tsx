import { LOG_KINDS, mayRun } from '@cimco/contract';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { paths } from '../../app/paths.ts';
import { useLiveQuery } from '../../db/react.ts';
import { LogExportButton } from './LogExportButton.tsx';
import type { LocalSession } from '../../session/local-session.ts';
import { formatDateTime, formatHours, formatNumber } from '../../ui/format.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { MachineFilter } from '../equipment/MachineFilter.tsx';
import { useTaskReferences } from '../tasks/reference-data.ts';
import { DEFAULT_LOG_FILTERS, LOG_LIMIT, LOG_LIST_SQL, logListParams, type LogFilters, type LogRow } from './log-query.ts';
import { LogEntryDialog } from './LogEntryDialog.tsx';
import '../tasks/tasks.css';
import '../equipment/equipment.css';
import './log.css';

/**
 * The yard's maintenance log (`/log`): every entry on every machine, newest first, filtered by
 * machine, kind, days and words — the filters in the query string, so a link opens the same list.
 */
export function LogScreen({ session }: { session: LocalSession }) {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useUrlFilters<LogFilters>(DEFAULT_LOG_FILTERS);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState('');
  const params = useMemo(() => logListParams(filters), [filters]);
  const rows = useLiveQuery<LogRow>(LOG_LIST_SQL, params)?.rows;
  const { machines } = useTaskReferences();
  const shown = rows?.slice(0, LOG_LIMIT);
  const set = <K extends keyof LogFilters>(key: K, value: LogFilters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const filtered = Object.entries(filters).some(([key, value]) => value !== DEFAULT_LOG_FILTERS[key as keyof LogFilters]);

  return (
    <section className="screen equipment-screen log-screen" aria-labelledby="log-title">
      <div className="screen-header">
        <h2 id="log-title">{t('log.title')}</h2>
        <LogExportButton rows={rows} />
        {mayRun(session.role, 'log.add') && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            {t('log.addEntry')}
          </button>
        )}
      </div>

      <div className="filter-bar" role="search">
        <MachineFilter
          id="log-machine"
          label={t('log.filters.machine')}
          allLabel={t('log.filters.allMachines')}
          value={filters.machine}
          machines={machines}
          onChange={(tag) => set('machine', tag)}
        />
        <div className="filter-select">
          <label htmlFor="log-kind">{t('log.filters.kind')}</label>
          <select id="log-kind" value={filters.kind} onChange={(event) => set('kind', event.target.value)}>
            <option value="">{t('log.filters.allKinds')}</option>
            {LOG_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`log.kinds.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-select">
          <label htmlFor="log-from">{t('log.filters.from')}</label>
          <input id="log-from" type="date" value={filters.from} onChange={(event) => set('from', event.target.value)} />
        </div>
        <div className="filter-select">
          <label htmlFor="log-to">{t('log.filters.to')}</label>
          <input id="log-to" type="date" value={filters.to} onChange={(event) => set('to', event.target.value)} />
        </div>
        <div className="filter-search">
          <label htmlFor="log-search">{t('log.filters.search')}</label>
          <input id="log-search" type="search" value={filters.search} placeholder={t('log.filters.searchPlaceholder')} onChange={(event) => set('search', event.target.value)} />
        </div>
        {filtered && (
          <button type="button" className="secondary" onClick={() => setFilters(() => DEFAULT_LOG_FILTERS)}>
            {t('log.filters.clear')}
          </button>
        )}
      </div>

      <p className="list-summary" role="status" aria-live="polite" data-testid="log-count">
        {shown ? t('log.count', { count: shown.length }) : t('common.loading')}
        {notice && ` · ${notice}`}
      </p>
      {shown && shown.length === 0 && <p className="empty">{t('log.empty')}</p>}

      <ol className="stack-list log-list" data-testid="log-list">
        {shown?.map((row) => {
          const details = [
            row.hours_spent != null ? t('log.hours', { hours: formatHours(Number(row.hours_spent), i18n.language) }) : null,
            row.meter_reading != null ? t('log.meter', { reading: formatNumber(Number(row.meter_reading), i18n.language) }) : null,
            row.loto_confirmed ? t('log.lotoDone') : null,
            row.task_title ? t('log.forTask', { title: row.task_title }) : null,
          ].filter(Boolean);
          return (
            <li key={row.id} className="log-row" data-testid="log-row" data-log-id={row.id} data-kind={row.kind} data-tag={row.tag}>
              <div className="log-row-top">
                <span className="badge log-kind">{t(`log.kinds.${row.kind}`)}</span>
                <Link to={paths.machine(row.tag)} className="log-machine">
                  <span className="equipment-tag">{row.tag}</span> {row.machine_name}
                </Link>
                {row.pending && <PendingMarker />}
              </div>
              {row.body && <p className="log-body">{row.body}</p>}
              {details.length > 0 && <p className="log-details">{details.join(' · ')}</p>}
              <p className="muted">
                {formatDateTime(row.at, i18n.language)}
                {row.author_name && ` · ${row.author_name}`}
              </p>
            </li>
          );
        })}
      </ol>

      {adding && <LogEntryDialog machines={machines} onClose={() => setAdding(false)} onRecorded={() => setNotice(t('log.saved'))} />}
    </section>
  );
}
