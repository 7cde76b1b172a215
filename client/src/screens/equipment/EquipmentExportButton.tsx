import { useTranslation } from 'react-i18next';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import type { ShownMachine } from './equipment-model.ts';

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
