import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { PriorityBadge } from '../tasks/TaskBadges.tsx';
import { PriorityAndCategoryFields } from '../tasks/task-options.tsx';
import { TEMPLATES_SQL, type TemplateRow } from './template-query.ts';
import '../tasks/tasks.css';
import './templates.css';

/**
 * The yard's task templates (`/templates`, supervisors and admins): the tasks a crew makes again
 * and again, each a title, category, priority, checklist and typical parts. Saved offline like
 * every change; the crew makes a task from one with "From template".
 */
export function TemplatesScreen() {
  const { t } = useTranslation();
  const db = useDatabase();
  const templates = useLiveQuery<TemplateRow>(TEMPLATES_SQL)?.rows;
  const [editing, setEditing] = useState<TemplateRow | 'new' | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<string>();

  async function remove(template: TemplateRow) {
    if (!window.confirm(t('templates.deleteConfirm', { title: template.title }))) return;
    setError(undefined);
    try {
      await db.record('template.delete', { id: template.id });
      setNotice(t('templates.deleted', { title: template.title }));
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  }

  return (
    <section className="screen templates-screen" aria-labelledby="templates-title">
      <div className="screen-header">
        <h2 id="templates-title">{t('templates.title')}</h2>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('templates.new')}
        </button>
      </div>
      <p className="list-summary" role="status" aria-live="polite">
        {templates ? t('templates.count', { count: templates.length }) : t('common.loading')}
        {notice && ` · ${notice}`}
      </p>
      <FormError message={error} />
      {templates && templates.length === 0 && <p className="empty">{t('templates.empty')}</p>}
      <ul className="stack-list template-list">
        {templates?.map((template) => (
          <li key={template.id} className="template-row" data-testid="template-row" data-template-id={template.id}>
            <div className="template-row-top">
              <strong>{template.title}</strong>
              <PriorityBadge priority={template.priority} />
              <span className="muted">{t(`tasks.categories.${template.category}`)}</span>
              {template.pending && <PendingMarker />}
            </div>
            {template.checklist && <p className="template-checklist">{template.checklist}</p>}
            {template.typical_parts && (
              <p className="muted">
                {t('templates.typicalParts')}: {template.typical_parts}
              </p>
            )}
            <div className="form-actions">
              <button type="button" className="secondary" onClick={() => setEditing(template)}>
                {t('templates.edit')}
              </button>
              <button type="button" className="danger" onClick={() => void remove(template)}>
                {t('templates.delete')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {editing && (
        <TemplateForm
          template={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(title) => setNotice(t('templates.saved', { title }))}
        />
      )}
    </section>
  );
}

interface TemplateValues {
  id: string;
  title: string;
  category: TemplateRow['category'];
  priority: string;
  checklist: string;
  typicalParts: string;
}

function TemplateForm({ template, onClose, onSaved }: { template?: TemplateRow; onClose: () => void; onSaved: (title: string) => void }) {
  const { t } = useTranslation();
  const heading = template ? t('templates.editTitle') : t('templates.new');
  const { form, submit, formError, busy, errorOf } = useContractForm<'template.save', TemplateValues>({
    command: 'template.save',
    // A new template's id is made once per form: a second submit after a refusal saves the same one.
    defaultValues: {
      id: template?.id ?? uuidv7(),
      title: template?.title ?? '',
      category: template?.category ?? 'general',
      priority: String(template?.priority ?? 2),
      checklist: template?.checklist ?? '',
      typicalParts: template?.typical_parts ?? '',
    },
    toArgs: (values) => ({
      id: values.id,
      title: values.title,
      category: values.category,
      priority: Number(values.priority),
      checklist: values.checklist.trim() || null,
      typicalParts: values.typicalParts.trim() || null,
    }),
    onRecorded: (args) => {
      onSaved(args.title.trim());
      onClose();
    },
  });
  const { register } = form;
  return (
    <Dialog label={heading} heading={heading} onClose={onClose} className="task-dialog" testId="template-form">
      <form className="task-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('templates.fields.title')} error={errorOf('title')}>
          {({ id, describedBy }) => (
            <input id={id} data-autofocus maxLength={200} aria-invalid={errorOf('title') ? true : undefined} aria-describedby={describedBy} {...register('title')} />
          )}
        </Field>
        <PriorityAndCategoryFields register={register} errorOf={errorOf} />
        <Field label={t('templates.fields.checklist')} error={errorOf('checklist')} hint={t('templates.fields.checklistHint')}>
          {({ id, describedBy }) => (
            <>
              <textarea id={id} rows={5} maxLength={4000} aria-describedby={describedBy} {...register('checklist')} />
              <DictateInto form={form} name="checklist" />
            </>
          )}
        </Field>
        <Field label={t('templates.typicalParts')} error={errorOf('typicalParts')}>
          {({ id, describedBy }) => <input id={id} maxLength={1000} aria-describedby={describedBy} {...register('typicalParts')} />}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('templates.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
