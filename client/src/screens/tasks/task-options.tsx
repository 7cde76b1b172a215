import { PRIORITIES, TASK_CATEGORIES } from '@cimco/contract';
import { useTranslation } from 'react-i18next';
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
