import { mayRun, type TaskCategory } from '@cimco/contract';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { SimilarFixes } from '../knowledge/SimilarFixes.tsx';
import { EquipmentPicker } from './EquipmentPicker.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { PriorityAndCategoryFields } from './task-options.tsx';
import type { AssignableUser, MachineOption } from './reference-data.ts';
import { useContractForm } from '../../ui/use-contract-form.ts';

interface TaskFormValues {
  id: string;
  title: string;
  description: string;
  priority: string;
  category: TaskCategory;
  equipment: { id: string; label: string } | null;
  dueDate: string;
  assigneeId: string;
}

/**
 * The "New task" form: title (required), description, priority, category, machine, due date, and
 * for supervisors the assignee. Records task.create; the task shows in the list at once.
 */
export function TaskCreateDialog({
  session,
  machines,
  users,
  onClose,
  onCreated,
  machine,
}: {
  session: LocalSession;
  machines: readonly MachineOption[];
  users: readonly AssignableUser[];
  onClose: () => void;
  onCreated?: (taskId: string, title: string) => void;
  /** Start with this machine chosen (a task made from the machine's page). */
  machine?: { id: string; label: string };
}) {
  const { t } = useTranslation();
  const canAssign = mayRun(session.role, 'task.assign');
  const { form, submit, formError, busy, errorOf } = useContractForm<'task.create', TaskFormValues>({
    command: 'task.create',
    // The task's id is made once per form: a second submit after a refusal records the same task.
    defaultValues: { id: uuidv7(), title: '', description: '', priority: '2', category: 'general', equipment: machine ?? null, dueDate: '', assigneeId: '' },
    toArgs: (values) => ({
      id: values.id,
      title: values.title,
      description: values.description.trim() || null,
      priority: Number(values.priority),
      category: values.category,
      equipmentId: values.equipment?.id ?? null,
      dueDate: values.dueDate || null,
      ...(canAssign && values.assigneeId && { assigneeId: values.assigneeId }),
    }),
    onRecorded: (args) => {
      onCreated?.(args.id, args.title.trim());
      onClose();
    },
  });
  const { register } = form;
  const equipment = form.watch('equipment');
  const [title, category] = form.watch(['title', 'category']);

  return (
    <Dialog label={t('tasks.newTask')} heading={t('tasks.newTask')} onClose={onClose} className="task-dialog" testId="task-create-dialog">
      <form className="task-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('tasks.fields.title')} error={errorOf('title')}>
          {({ id, describedBy }) => (
            <input
              id={id}
              data-autofocus
              required
              maxLength={200}
              aria-invalid={errorOf('title') ? true : undefined}
              aria-describedby={describedBy}
              {...register('title')}
            />
          )}
        </Field>
        <SimilarFixes text={title} equipmentId={equipment?.id} category={category} />
        <Field label={t('tasks.fields.description')} error={errorOf('description')}>
          {({ id, describedBy }) => (
            <>
              <textarea id={id} rows={3} maxLength={4000} aria-describedby={describedBy} {...register('description')} />
              <DictateInto form={form} name="description" />
            </>
          )}
        </Field>
        <PriorityAndCategoryFields register={register} errorOf={errorOf} />
        <Field label={t('tasks.fields.equipment')} error={errorOf('equipmentId')}>
          {({ id, errorId }) => (
            <EquipmentPicker
              id={id}
              machines={machines}
              value={equipment?.id ?? null}
              selectedLabel={equipment?.label ?? ''}
              onChange={(chosen) => form.setValue('equipment', chosen)}
              error={errorOf('equipmentId')}
              errorId={errorId}
            />
          )}
        </Field>
        <div className="field-row">
          <Field label={t('tasks.fields.dueDate')} error={errorOf('dueDate')}>
            {({ id, describedBy }) => (
              <input id={id} type="date" aria-describedby={describedBy} {...register('dueDate')} />
            )}
          </Field>
          {canAssign && (
            <Field label={t('tasks.fields.assignee')} error={errorOf('assigneeId')}>
              {({ id, describedBy }) => (
                <select id={id} aria-describedby={describedBy} {...register('assigneeId')}>
                  <option value="">{t('tasks.unassigned')}</option>
                  {users.map((user) => (
                    <option key={user.id} value={user.id}>
                      {user.display_name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </div>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('tasks.createTask')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
