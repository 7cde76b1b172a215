import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { PriorityBadge } from '../tasks/TaskBadges.tsx';
import { descriptionFromTemplate, TEMPLATES_SQL, type TemplateRow } from './template-query.ts';
import './templates.css';
import { FormError } from '../../ui/fields.tsx';

/**
 * "From template": two taps make a task — this button, then a template. The task takes the
 * template's title, category, priority, checklist and typical parts, and the machine of the page
 * it was made on; it is recorded offline like any task and then opened.
 */
export function FromTemplateButton({ equipmentId, onCreated }: { equipmentId?: string | null; onCreated: (taskId: string, title: string) => void }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const [choosing, setChoosing] = useState(false);
  const [error, setError] = useState<string>();
  const templates = useLiveQuery<TemplateRow>(TEMPLATES_SQL)?.rows;

  async function create(template: TemplateRow) {
    setError(undefined);
    const id = uuidv7();
    try {
      await db.record('task.create', {
        id,
        title: template.title,
        description: descriptionFromTemplate(template, t('templates.typicalParts')),
        category: template.category,
        priority: template.priority,
        equipmentId: equipmentId ?? null,
      });
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
      return;
    }
    setChoosing(false);
    onCreated(id, template.title);
  }

  if (templates && templates.length === 0) return null;
  return (
    <>
      <button type="button" className="secondary" onClick={() => setChoosing(true)}>
        {t('templates.fromTemplate')}
      </button>
      {choosing && (
        <Dialog label={t('templates.chooseTitle')} heading={t('templates.chooseTitle')} onClose={() => setChoosing(false)} testId="template-picker">
          <p className="muted">{t('templates.chooseHint')}</p>
          <ul className="stack-list template-choices">
            {templates?.map((template) => (
              <li key={template.id}>
                <button type="button" className="template-choice" data-template-id={template.id} onClick={() => void create(template)}>
                  <span className="template-choice-title">{template.title}</span>
                  <span className="template-choice-facts">
                    <PriorityBadge priority={template.priority} /> {t(`tasks.categories.${template.category}`)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <FormError message={error} />
        </Dialog>
      )}
    </>
  );
}
