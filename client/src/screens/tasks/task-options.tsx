import { PRIORITIES, TASK_CATEGORIES, type TaskCategory } from '@cimco/contract';
import type { Path, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Field } from '../../ui/fields.tsx';
import { priorityKey } from './task-model.ts';

export function PriorityOptions() {
  const { t } = useTranslation();
  return (
    <>
      {[...PRIORITIES].reverse().map((priority) => (
        <option key={priority} value={priority}>
          {`${priority} · ${t(`tasks.priorities.${priorityKey(priority)}`)}`}
        </option>
      ))}
    </>
  );
}

export function CategoryOptions() {
  const { t } = useTranslation();
  return (
    <>
      {TASK_CATEGORIES.map((category) => (
        <option key={category} value={category}>
          {t(`tasks.categories.${category}`)}
        </option>
      ))}
    </>
  );
}

/**
 * The priority and category pickers side by side, as every task-like form has them (a task, a
 * template, a maintenance schedule): its fields must be named `priority` and `category`.
 */
export function PriorityAndCategoryFields<V extends { priority: string; category: TaskCategory }>({
  register,
  errorOf,
}: {
  register: UseFormRegister<V>;
  errorOf: (argument: string) => string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="field-row">
      <Field label={t('tasks.fields.priority')} error={errorOf('priority')}>
        {({ id, describedBy }) => (
          <select id={id} aria-describedby={describedBy} {...register('priority' as Path<V>)}>
            <PriorityOptions />
          </select>
        )}
      </Field>
      <Field label={t('tasks.fields.category')} error={errorOf('category')}>
        {({ id, describedBy }) => (
          <select id={id} aria-describedby={describedBy} {...register('category' as Path<V>)}>
            <CategoryOptions />
          </select>
        )}
      </Field>
    </div>
  );
}
