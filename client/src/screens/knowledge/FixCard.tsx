import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase } from '../../db/react.ts';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { formatDate } from '../../ui/format.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import type { KnowledgeRow } from './knowledge-query.ts';
import { FormError } from '../../ui/fields.tsx';

/**
 * One past fix: its problem (a tap opens the cause and the fix steps), where and what kind, how
 * many it helped, and "This helped" — one tap, once per person, recorded offline like any command.
 */
export function FixCard({ fix }: { fix: KnowledgeRow }) {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const detailsId = `fix-${fix.id}-details`;

  async function vote() {
    setError(undefined);
    try {
      await db.record('knowledge.vote', { id: uuidv7(), knowledgeId: fix.id });
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  }

  return (
    <li className="fix-card" data-testid="fix-card" data-knowledge-id={fix.id} data-relation={fix.relation}>
      <div className="fix-card-top">
        <button type="button" className="fix-problem" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((o) => !o)}>
          {fix.problem}
        </button>
        {fix.pending && <PendingMarker />}
      </div>
      <p className="fix-facts muted">
        {[
          fix.relation === 'machine' ? t('knowledge.sameMachine') : fix.relation === 'kind' ? t('knowledge.sameKind') : null,
          fix.equipment_tag && `${fix.equipment_tag} ${fix.equipment_name ?? ''}`.trim(),
          fix.category && t(`tasks.categories.${fix.category}`, { defaultValue: fix.category }),
          formatDate(fix.created_at, i18n.language),
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      {open && (
        <dl className="fix-details" id={detailsId}>
          {fix.cause && (
            <>
              <dt>{t('knowledge.cause')}</dt>
              <dd>{fix.cause}</dd>
            </>
          )}
          <dt>{t('knowledge.fix')}</dt>
          <dd className="fix-steps">{fix.fix_steps || t('knowledge.noSteps')}</dd>
        </dl>
      )}
      <div className="fix-actions">
        {fix.helpful_votes > 0 && (
          <span className="fix-votes" data-testid="fix-votes">
            {t('knowledge.helped', { count: fix.helpful_votes })}
          </span>
        )}
        <button type="button" className="secondary" onClick={() => void vote()} disabled={fix.voted} aria-pressed={fix.voted}>
          {fix.voted ? t('knowledge.youVoted') : t('knowledge.vote')}
        </button>
      </div>
      <FormError message={error} />
    </li>
  );
}
