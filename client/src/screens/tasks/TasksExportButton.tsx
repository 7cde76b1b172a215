import { useTranslation } from 'react-i18next';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import { priorityKey, type TaskRow } from './task-model.ts';

/** Tasks: the rows the list shows (already filtered and sorted in memory). */
export function TasksExportButton({ tasks }: { tasks: readonly TaskRow[] | undefined }) {
  const { t } = useTranslation();
  const columns: ExportColumn<TaskRow>[] = [
    { header: t('csv.columns.title'), value: (r) => r.title },
    { header: t('csv.columns.priority'), value: (r) => t(`tasks.priorities.${priorityKey(r.priority)}`) },
    { header: t('csv.columns.status'), value: (r) => t(`tasks.status.${r.status}`) },
    { header: t('csv.columns.category'), value: (r) => t(`tasks.categories.${r.category}`, { defaultValue: r.category }) },
    { header: t('csv.columns.equipmentTag'), value: (r) => r.equipment_tag },
    { header: t('csv.columns.equipment'), value: (r) => r.equipment_name },
    { header: t('csv.columns.assignee'), value: (r) => r.assignee_name },
    { header: t('csv.columns.dueDate'), value: (r) => r.due_date },
    { header: t('csv.columns.description'), value: (r) => r.description },
    { header: t('csv.columns.resolution'), value: (r) => r.resolution },
  ];
  return <ExportButton list={t('csv.files.tasks')} columns={columns} rows={tasks ?? []} disabled={!tasks} />;
}
