import { useTranslation } from 'react-i18next';
import { ExportButton, type ExportColumn } from '../../ui/ExportButton.tsx';
import type { OrderRow } from './orders-query.ts';

/** The orders the list shows, with its filters and order (overdue first). */
export function OrdersExportButton({ orders }: { orders: readonly OrderRow[] | undefined }) {
  const { t } = useTranslation();
  const columns: ExportColumn<OrderRow>[] = [
    { header: t('csv.columns.order'), value: (o) => o.order_number },
    { header: t('csv.columns.partNumber'), value: (o) => o.part_number },
    { header: t('csv.columns.name'), value: (o) => o.part_name },
    { header: t('csv.columns.supplier'), value: (o) => o.supplier },
    { header: t('csv.columns.status'), value: (o) => t(`orders.status.${o.status}`) },
    { header: t('csv.columns.ordered'), value: (o) => o.quantity_ordered, kind: 'number' },
    { header: t('csv.columns.received'), value: (o) => o.quantity_received, kind: 'number' },
    { header: t('csv.columns.expected'), value: (o) => o.expected_at },
    { header: t('csv.columns.tracking'), value: (o) => o.tracking_number },
    { header: t('csv.columns.note'), value: (o) => o.notes },
  ];
  return <ExportButton list={t('csv.files.orders')} columns={columns} rows={orders ?? []} disabled={!orders} />;
}
