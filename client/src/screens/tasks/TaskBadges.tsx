import type { TaskStatus } from '@cimco/contract';
import { useTranslation } from 'react-i18next';
import { priorityKey } from './task-model.ts';

/** Priority 1 (low) … 4 (critical), coloured by urgency; the word is always there, not only the colour. */
export function PriorityBadge({ priority }: { priority: number }) {
  const { t } = useTranslation();
  const key = priorityKey(priority);
  return (
    <span className={`badge priority-badge priority-${key}`} data-priority={priority}>
      {t(`tasks.priorities.${key}`)}
    </span>
  );
}

export function StatusBadge({ status }: { status: TaskStatus }) {
  const { t } = useTranslation();
  return <span className={`badge task-status-badge task-status-${status}`}>{t(`tasks.status.${status}`, { defaultValue: status })}</span>;
}
