import { useTranslation } from 'react-i18next';
import type { OrderRow, OrderStatus } from './orders-query.ts';
import { refusalText } from './refusals.ts';

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`order-status order-status-${status}`} data-testid="order-status" data-status={status}>
      {t(`orders.status.${status}`)}
    </span>
  );
}

/** The latest change to this order the server refused, in plain words (it stays in Needs attention). */
export function RefusalNotice({ order }: { order: OrderRow }) {
  const { t } = useTranslation();
  if (!order.refusal) return null;
  return (
    <p className="order-refusal" role="alert" data-testid="order-refusal" data-code={order.refusal.code ?? ''}>
      <strong>{t('orders.refusedTitle')}:</strong> {refusalText(order.refusal, t) ?? t('attention.refused')}
    </p>
  );
}
