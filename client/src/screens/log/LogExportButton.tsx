import { useTranslation } from 'react-i18next';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import type { LogRow } from './log-query.ts';

/** The log entries the list shows, with its filters, newest first. */
export function LogExportButton({ rows }: { rows: readonly LogRow[] | undefined }) {
  const { t } = useTranslation();
  const columns: ExportColumn<LogRow>[] = [
    { header: t('csv.columns.when'), value: (r) => r.at },
    { header: t('csv.columns.tag'), value: (r) => r.tag },
    { header: t('csv.columns.equipment'), value: (r) => r.machine_name },
    { header: t('csv.columns.kind'), value: (r) => t(`log.kinds.${r.kind}`) },
    { header: t('csv.columns.entry'), value: (r) => r.body },
    { header: t('csv.columns.hours'), value: (r) => r.hours_spent, kind: 'number' },
    { header: t('csv.columns.meter'), value: (r) => (r.meter_reading === null ? null : Number(r.meter_reading)), kind: 'number' },
    { header: t('csv.columns.loto'), value: (r) => r.loto_confirmed, kind: 'bool' },
    { header: t('csv.columns.title'), value: (r) => r.task_title },
    { header: t('csv.columns.by'), value: (r) => r.author_name },
  ];
  return <ExportButton list={t('csv.files.log')} columns={columns} rows={rows ?? []} disabled={!rows} />;
}
