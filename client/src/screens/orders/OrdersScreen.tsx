import { mayRun } from '@cimco/contract';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLive, useLiveQuery } from '../../db/react.ts';
import { OrdersExportButton } from './OrdersExportButton.tsx';
import type { LocalSession } from '../../session/local-session.ts';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { OrderStatusBadge, RefusalNotice } from './OrderBadges.tsx';
import { OrderDetailDialog } from './OrderDetailDialog.tsx';
import { OrderCreateDialog } from './OrderForm.tsx';
import { localDate, NO_ORDER_FILTERS, ORDER_SQL, ORDER_STATUSES, ordersQuery, SUPPLIERS_SQL, type OrderFilters, type OrderRow } from './orders-query.ts';
import './orders.css';

/**
 * Incoming orders (`/orders`): every order of the yard with its progress, filters in the query
 * string (`?status=partial&supplier=Metso&text=liner&overdue=1`), overdue deliveries first and
 * marked; an order opens with receive, mark shipped, edit and cancel.
 */
export function OrdersScreen({ session }: { session: LocalSession }) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const [filters, setFilters] = useUrlFilters<OrderFilters>(NO_ORDER_FILTERS);
  const [creating, setCreating] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const today = localDate();
  const query = useMemo(() => ordersQuery(filters, today), [filters, today]);
  const orders = useLive<OrderRow>(query)?.rows;
  const suppliers = useLiveQuery<{ value: string }>(SUPPLIERS_SQL, [])?.rows;
  const selected = useLive<OrderRow>(selectedId ? { sql: ORDER_SQL, params: [today, selectedId] } : null)?.rows[0];
  const filtered = filters.status !== '' || filters.supplier !== '' || filters.text !== '' || filters.overdue;
  const number = (n: number) => formatNumber(n, i18n.language);

  return (
    <section className="screen orders-screen" aria-labelledby={`${ids}-title`}>
      <header className="orders-header">
        <h2 id={`${ids}-title`}>{t('orders.title')}</h2>
        <OrdersExportButton orders={orders} />
        {mayRun(session.role, 'order.create') && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('orders.newOrder')}
          </button>
        )}
      </header>
      <div className="orders-toolbar" role="search">
        <div className="field">
          <label htmlFor={`${ids}-text`}>{t('orders.search')}</label>
          <input
            id={`${ids}-text`}
            type="search"
            autoComplete="off"
            value={filters.text}
            placeholder={t('orders.searchPlaceholder')}
            onChange={(event) => setFilters((f) => ({ ...f, text: event.target.value }))}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-status`}>{t('orders.statusFilter')}</label>
          <select id={`${ids}-status`} value={filters.status} onChange={(event) => setFilters((f) => ({ ...f, status: event.target.value }))}>
            <option value="">{t('orders.allStatuses')}</option>
            {ORDER_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`orders.status.${status}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-supplier`}>{t('orders.supplierFilter')}</label>
          <select id={`${ids}-supplier`} value={filters.supplier} onChange={(event) => setFilters((f) => ({ ...f, supplier: event.target.value }))}>
            <option value="">{t('orders.allSuppliers')}</option>
            {/* A supplier named in the URL but on no order yet is still shown as chosen. */}
            {[...new Set([...(suppliers ?? []).map((s) => s.value), ...(filters.supplier ? [filters.supplier] : [])])].map((supplier) => (
              <option key={supplier} value={supplier}>
                {supplier}
              </option>
            ))}
          </select>
        </div>
        <label className="orders-check">
          <input type="checkbox" checked={filters.overdue} onChange={(event) => setFilters((f) => ({ ...f, overdue: event.target.checked }))} />
          {t('orders.overdueOnly')}
        </label>
        {filtered && (
          <button type="button" className="secondary" onClick={() => setFilters(() => NO_ORDER_FILTERS)}>
            {t('orders.clearFilters')}
          </button>
        )}
      </div>

      {!orders ? (
        <p>{t('common.loading')}</p>
      ) : orders.length === 0 ? (
        <p className="empty">{filtered ? t('orders.empty') : t('orders.noOrders')}</p>
      ) : (
        <>
          <p className="muted" data-testid="orders-count">
            {t('orders.count', { count: orders.length })}
          </p>
          <table className="orders-table" aria-label={t('orders.listLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('orders.columns.order')}</th>
                <th scope="col">{t('orders.columns.part')}</th>
                <th scope="col">{t('orders.columns.supplier')}</th>
                <th scope="col">{t('orders.columns.quantity')}</th>
                <th scope="col">{t('orders.columns.expected')}</th>
                <th scope="col">{t('orders.columns.status')}</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((order) => (
                <tr
                  key={order.id}
                  className={order.overdue ? 'order-row overdue' : 'order-row'}
                  data-testid="order-row"
                  data-order-id={order.id}
                  data-order-number={order.order_number}
                  data-status={order.status}
                  data-overdue={order.overdue ? 'true' : 'false'}
                  onClick={() => setSelectedId(order.id)}
                >
                  <td>
                    <button type="button" className="link order-open" onClick={() => setSelectedId(order.id)}>
                      {order.order_number}
                    </button>
                    {order.pending && <PendingMarker />}
                  </td>
                  <td>
                    <span className="part-number">{order.part_number ?? '—'}</span> {order.part_name ?? ''}
                  </td>
                  <td>{order.supplier ?? '—'}</td>
                  <td className="num" data-testid="order-quantities">
                    {number(order.quantity_received)} / {number(order.quantity_ordered)}
                  </td>
                  <td>
                    {order.expected_at ? (
                      order.overdue ? (
                        <strong className="order-overdue">{t('orders.overdueSince', { date: formatDate(order.expected_at, i18n.language) })}</strong>
                      ) : (
                        formatDate(order.expected_at, i18n.language)
                      )
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <OrderStatusBadge status={order.status} />
                    <RefusalNotice order={order} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {creating && <OrderCreateDialog onClose={() => setCreating(false)} />}
      {selectedId && <OrderDetailDialog key={selectedId} order={selected} session={session} onClose={() => setSelectedId(null)} />}
    </section>
  );
}
