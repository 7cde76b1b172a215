import { useDeferredValue, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from '../../db/react.ts';
import { FixCard } from './FixCard.tsx';
import { knowledgeWords, similarFixesQuery, type KnowledgeRow } from './knowledge-query.ts';
import './knowledge.css';

/**
 * "Fixed before": past fixes like the problem being typed (a task's title, a log entry), from the
 * tablet's own database, so it works with no signal — the same machine's first (knowledge-query.ts).
 * Shows nothing until a word of three letters is typed, or when nothing is alike.
 */
export function SimilarFixes({ text, equipmentId, category }: { text: string; equipmentId?: string | null; category?: string | null }) {
  const { t } = useTranslation();
  // Typing stays responsive: React answers the keystroke first, the query follows.
  const typed = useDeferredValue(text);
  const query = useMemo(() => similarFixesQuery(typed, equipmentId, category), [typed, equipmentId, category]);
  const searching = knowledgeWords(typed).length > 0;
  const fixes = useLiveQuery<KnowledgeRow>(query.sql, query.params)?.rows;
  if (!searching || !fixes || fixes.length === 0) return null;
  return (
    <section className="similar-fixes" aria-label={t('knowledge.similarTitle')} data-testid="similar-fixes">
      <h3>{t('knowledge.similarTitle')}</h3>
      <ol className="stack-list fix-list">
        {fixes.map((fix) => (
          <FixCard key={fix.id} fix={fix} />
        ))}
      </ol>
    </section>
  );
}
