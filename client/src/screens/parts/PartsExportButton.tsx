import { useTranslation } from 'react-i18next';
import { useDatabase } from '../../db/react.ts';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import { MOVEMENTS_SQL, partsListQuery, type MovementRow, type PartFilters, type PartListRow } from './parts-query.ts';

// The parts export's headers read back through the catalog import (English or Spanish).

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

/** A part's whole movement history, newest first (the panel shows it a page at a time). */
export function MovementsExportButton({ partId, partNumber }: { partId: string; partNumber: string }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const columns: ExportColumn<MovementRow>[] = [
    { header: t('csv.columns.when'), value: (m) => m.at },
    { header: t('csv.columns.reason'), value: (m) => t(`parts.reason.${m.reason as 'used'}`, { defaultValue: m.reason }) },
    { header: t('csv.columns.change'), value: (m) => m.delta, kind: 'number' },
    { header: t('csv.columns.quantityAfter'), value: (m) => m.quantity_after, kind: 'number' },
    { header: t('csv.columns.from'), value: (m) => m.from_location },
    { header: t('csv.columns.to'), value: (m) => m.to_location },
    { header: t('csv.columns.by'), value: (m) => m.author },
    { header: t('csv.columns.note'), value: (m) => m.note },
  ];
  const rows = async () => (await db.query<MovementRow>(MOVEMENTS_SQL, [partId, null])).rows;
  return <ExportButton list={`${t('csv.files.movements')}-${partNumber}`} columns={columns} rows={rows} label={t('csv.exportHistory')} />;
}
