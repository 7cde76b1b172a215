import { TASK_CATEGORIES } from '@cimco/contract';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from '../../db/react.ts';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { MachineFilter } from '../equipment/MachineFilter.tsx';
import { useTaskReferences } from '../tasks/reference-data.ts';
import { FixCard } from './FixCard.tsx';
import {
  DEFAULT_KNOWLEDGE_FILTERS,
  KNOWLEDGE_LIMIT,
  KNOWLEDGE_LIST_SQL,
  knowledgeListParams,
  type KnowledgeFilters,
  type KnowledgeRow,
} from './knowledge-query.ts';
import '../tasks/tasks.css';
import './knowledge.css';

/**
 * The yard's past fixes (`/knowledge`): every problem, cause and fix kept when a task was
 * completed, by machine and category, searched by words (a typo forgiven) — the filters in the
 * query string, so a link opens the same list. Most helpful first when no words are typed.
 */
export function KnowledgeScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useUrlFilters<KnowledgeFilters>(DEFAULT_KNOWLEDGE_FILTERS);
  const params = useMemo(() => knowledgeListParams(filters), [filters]);
  const rows = useLiveQuery<KnowledgeRow>(KNOWLEDGE_LIST_SQL, params)?.rows;
  const { machines } = useTaskReferences();
  const shown = rows?.slice(0, KNOWLEDGE_LIMIT);
  const set = <K extends keyof KnowledgeFilters>(key: K, value: KnowledgeFilters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const filtered = Object.entries(filters).some(([key, value]) => value !== DEFAULT_KNOWLEDGE_FILTERS[key as keyof KnowledgeFilters]);

  return (
    <section className="screen knowledge-screen" aria-labelledby="knowledge-title">
      <div className="screen-header">
        <h2 id="knowledge-title">{t('knowledge.title')}</h2>
      </div>

      <div className="filter-bar" role="search">
        <MachineFilter
          id="knowledge-machine"
          label={t('knowledge.filters.machine')}
          allLabel={t('knowledge.filters.allMachines')}
          value={filters.machine}
          machines={machines}
          onChange={(tag) => set('machine', tag)}
        />
        <div className="filter-select">
          <label htmlFor="knowledge-category">{t('knowledge.filters.category')}</label>
          <select id="knowledge-category" value={filters.category} onChange={(event) => set('category', event.target.value)}>
            <option value="">{t('knowledge.filters.allCategories')}</option>
            {TASK_CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {t(`tasks.categories.${category}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-search">
          <label htmlFor="knowledge-search">{t('knowledge.filters.search')}</label>
          <input
            id="knowledge-search"
            type="search"
            value={filters.search}
            placeholder={t('knowledge.filters.searchPlaceholder')}
            onChange={(event) => set('search', event.target.value)}
          />
        </div>
        {filtered && (
          <button type="button" className="secondary" onClick={() => setFilters(() => DEFAULT_KNOWLEDGE_FILTERS)}>
            {t('knowledge.filters.clear')}
          </button>
        )}
      </div>

      <p className="list-summary" role="status" aria-live="polite" data-testid="knowledge-count">
        {shown ? t('knowledge.count', { count: shown.length }) : t('common.loading')}
        {rows && rows.length > KNOWLEDGE_LIMIT && ` · ${t('knowledge.more', { count: KNOWLEDGE_LIMIT })}`}
      </p>
      {shown && shown.length === 0 && <p className="empty">{t('knowledge.empty')}</p>}
      <ol className="stack-list fix-list" data-testid="knowledge-list">
        {shown?.map((fix) => (
          <FixCard key={fix.id} fix={fix} />
        ))}
      </ol>
    </section>
  );
}
