import { mayRun, type TaskCategory } from '@cimco/contract';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { EquipmentPicker } from './EquipmentPicker.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { CategoryOptions, PriorityOptions } from './task-options.tsx';
import type { AssignableUser, MachineOption } from './reference-data.ts';
import { useCommandForm } from '../../ui/use-command-form.ts';

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
  const db = useDatabase();
  const canAssign = mayRun(session.role, 'task.assign');

  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState(2);
  const [category, setCategory] = useState<TaskCategory>('general');
  const [equipment, setEquipment] = useState<{ id: string; label: string } | null>(machine ?? null);
  const [dueDate, setDueDate] = useState('');
  const [assigneeId, setAssigneeId] = useState('');
  const { errors, setErrors, busy, save } = useCommandForm(onClose);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!title.trim()) {
      setErrors({ fields: { title: t('tasks.errors.titleRequired') } });
      return;
    }
    await save(async () => {
      const id = uuidv7();
      await db.record('task.create', {
        id,
        title: title.trim(),
        description: description.trim() || null,
        priority,
        category,
        equipmentId: equipment?.id ?? null,
        dueDate: dueDate || null,
        ...(canAssign && assigneeId && { assigneeId }),
      });
      onCreated?.(id, title.trim());
    });
  }

  return (
    <Dialog label={t('tasks.newTask')} heading={t('tasks.newTask')} onClose={onClose} className="task-dialog" testId="task-create-dialog">
      <form className="task-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('tasks.fields.title')} error={errors.fields.title}>
          {({ id, describedBy }) => (
            <input
              id={id}
              data-autofocus
              required
              maxLength={200}
              value={title}
              aria-invalid={errors.fields.title ? true : undefined}
              aria-describedby={describedBy}
              onChange={(event) => setTitle(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('tasks.fields.description')} error={errors.fields.description}>
          {({ id, describedBy }) => (
            <textarea id={id} rows={3} maxLength={4000} value={description} aria-describedby={describedBy} onChange={(event) => setDescription(event.target.value)} />
          )}
        </Field>
        <div className="field-row">
          <Field label={t('tasks.fields.priority')} error={errors.fields.priority}>
            {({ id, describedBy }) => (
              <select id={id} value={priority} aria-describedby={describedBy} onChange={(event) => setPriority(Number(event.target.value))}>
                <PriorityOptions />
              </select>
            )}
          </Field>
          <Field label={t('tasks.fields.category')} error={errors.fields.category}>
            {({ id, describedBy }) => (
              <select id={id} value={category} aria-describedby={describedBy} onChange={(event) => setCategory(event.target.value as TaskCategory)}>
                <CategoryOptions />
              </select>
            )}
          </Field>
        </div>
        <Field label={t('tasks.fields.equipment')} error={errors.fields.equipmentId}>
          {({ id, errorId }) => (
            <EquipmentPicker
              id={id}
              machines={machines}
              value={equipment?.id ?? null}
              selectedLabel={equipment?.label ?? ''}
              onChange={setEquipment}
              error={errors.fields.equipmentId}
              errorId={errorId}
            />
          )}
        </Field>
        <div className="field-row">
          <Field label={t('tasks.fields.dueDate')} error={errors.fields.dueDate}>
            {({ id, describedBy }) => (
              <input id={id} type="date" value={dueDate} aria-describedby={describedBy} onChange={(event) => setDueDate(event.target.value)} />
            )}
          </Field>
          {canAssign && (
            <Field label={t('tasks.fields.assignee')} error={errors.fields.assigneeId}>
              {({ id, describedBy }) => (
                <select id={id} value={assigneeId} aria-describedby={describedBy} onChange={(event) => setAssigneeId(event.target.value)}>
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
        <FormError message={errors.form} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('tasks.createTask')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
