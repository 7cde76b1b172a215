import { useTranslation } from 'react-i18next';
import { useDatabase } from '../db/react.ts';
import type { ShownMachine } from '../screens/equipment/equipment-model.ts';
import { partsListQuery, type PartFilters, type PartListRow } from '../screens/parts/parts-query.ts';
import { priorityKey, type TaskRow } from '../screens/tasks/task-model.ts';
import { ExportButton, type ExportColumn } from './ExportButton.tsx';

/*
 * The "Export CSV" of each list, one line in its screen's toolbar: the same rows, filters and order
 * the list shows, with its columns' headers in the reader's language. The parts export's headers
 * read back through the catalog import (English or Spanish).
 */

/** Parts: the list's own query (partsListQuery) without its window, so every matching part. */
export function PartsExportButton({ filters }: { filters: PartFilters }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const columns: ExportColumn<PartListRow>[] = [
    { header: t('csv.columns.partNumber'), value: (p) => p.part_number },
    { header: t('csv.columns.name'), value: (p) => p.name },
    { header: t('csv.columns.manufacturer'), value: (p) => p.manufacturer },
    { header: t('csv.columns.category'), value: (p) => p.category },
    { header: t('csv.columns.location'), value: (p) => p.location },
    { header: t('csv.columns.quantity'), value: (p) => p.quantity, kind: 'number' },
    { header: t('csv.columns.minQuantity'), value: (p) => p.min_quantity, kind: 'number' },
    { header: t('csv.columns.unit'), value: (p) => p.unit },
    { header: t('csv.columns.wearRating'), value: (p) => p.wear_rating, kind: 'number' },
  ];
  const rows = async () => {
    const query = partsListQuery(filters);
    return (await db.query<PartListRow>(query.sql, query.params)).rows;
  };
  return <ExportButton list={t('csv.files.parts')} columns={columns} rows={rows} />;
}

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

/** Equipment: the machines the list shows, parents before their components. */
export function EquipmentExportButton({ shown }: { shown: readonly ShownMachine[] | undefined }) {
  const { t } = useTranslation();
  const columns: ExportColumn<ShownMachine>[] = [
    { header: t('csv.columns.tag'), value: (r) => r.machine.tag },
    { header: t('csv.columns.name'), value: (r) => r.machine.name },
    { header: t('csv.columns.type'), value: (r) => t(`equipment.types.${r.machine.type}`, { defaultValue: r.machine.type }) },
    { header: t('csv.columns.area'), value: (r) => r.machine.area },
    { header: t('csv.columns.status'), value: (r) => t(`equipment.status.${r.machine.status}`) },
    { header: t('csv.columns.criticality'), value: (r) => r.machine.criticality, kind: 'number' },
    { header: t('csv.columns.make'), value: (r) => r.machine.make },
    { header: t('csv.columns.model'), value: (r) => r.machine.model },
    { header: t('csv.columns.serial'), value: (r) => r.machine.serial },
    { header: t('csv.columns.meter'), value: (r) => r.machine.meter, kind: 'number' },
    { header: t('csv.columns.meterUnit'), value: (r) => r.machine.meter_unit },
  ];
  return <ExportButton list={t('csv.files.equipment')} columns={columns} rows={shown ?? []} disabled={!shown} />;
}
