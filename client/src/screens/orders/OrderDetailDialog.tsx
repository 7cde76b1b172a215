import { mayRun } from '@cimco/contract';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { paths, ROUTES } from '../../app/paths.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog, useFocusInside } from '../../ui/Dialog.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../ui/format.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { OrderStatusBadge, RefusalNotice } from './OrderBadges.tsx';
import { CancelOrderForm, OrderEditForm, ReceiveForm, ShipForm } from './OrderForm.tsx';
import { OPEN_STATUSES, type OrderRow } from './orders-query.ts';

type Mode = 'view' | 'receive' | 'ship' | 'edit' | 'cancel';

/** One order: its facts, and receive / mark shipped / edit / cancel for the storeroom. */
export function OrderDetailDialog({ order, session, onClose }: { order: OrderRow | undefined; session: LocalSession; onClose: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>('view');
  const [receipt, setReceipt] = useState<number>(0);
  const back = () => setMode('view');
  return (
    <Dialog
      label={t('orders.detailLabel')}
      heading={order ? `${order.order_number} · ${order.part_number ?? ''}` : t('common.loading')}
      onClose={onClose}
      className="order-dialog"
      testId="order-detail"
    >
      {!order ? (
        <p>{t('common.loading')}</p>
      ) : mode === 'receive' ? (
        <ReceiveForm
          order={order}
          onDone={(received) => {
            setReceipt(received);
            back();
          }}
        />
      ) : mode === 'ship' ? (
        <ShipForm order={order} onDone={back} />
      ) : mode === 'edit' ? (
        <OrderEditForm order={order} onDone={back} />
      ) : mode === 'cancel' ? (
        <CancelOrderForm order={order} onDone={back} />
      ) : (
        <OrderView order={order} session={session} receipt={receipt} onMode={setMode} />
      )}
    </Dialog>
  );
}

function OrderView({ order, session, receipt, onMode }: { order: OrderRow; session: LocalSession; receipt: number; onMode: (mode: Mode) => void }) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useFocusInside(ref);
  const open = OPEN_STATUSES.includes(order.status);
  const canChange = mayRun(session.role, 'order.update');
  const number = (n: number) => formatNumber(n, i18n.language);
  return (
    <div ref={ref} className="order-view" data-testid="order-view" data-status={order.status} data-order-id={order.id}>
      <div className="order-badges">
        <OrderStatusBadge status={order.status} />
        {order.overdue && <span className="order-overdue">{t('orders.overdue')}</span>}
        {order.pending && <PendingMarker />}
      </div>
      <p className="order-progress" data-testid="order-progress">
        {t('orders.receivedOf', { received: number(order.quantity_received), ordered: number(order.quantity_ordered) })}
        {open && ` · ${t('orders.outstanding', { count: order.quantity_ordered - order.quantity_received })}`}
      </p>
      {receipt > 0 && (
        <p className="notice" role="status" data-testid="order-received-notice">
          {t('orders.receiveForm.received', { count: receipt })}
        </p>
      )}
      <RefusalNotice order={order} />
      <dl className="order-facts">
        <div>
          <dt>{t('orders.fields.part')}</dt>
          <dd>{order.part_number ? <Link to={paths.part(order.part_number)}>{`${order.part_number} · ${order.part_name ?? ''}`}</Link> : '—'}</dd>
        </div>
        <div>
          <dt>{t('orders.fields.supplier')}</dt>
          <dd>{order.supplier ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('orders.fields.expectedAt')}</dt>
          <dd className={order.overdue ? 'overdue' : undefined}>{order.expected_at ? formatDate(order.expected_at, i18n.language) : t('orders.noExpected')}</dd>
        </div>
        <div>
          <dt>{t('orders.fields.trackingNumber')}</dt>
          <dd>{order.tracking_number ?? '—'}</dd>
        </div>
        {order.ordered_at && (
          <div>
            <dt>{t('orders.fields.orderedAt')}</dt>
            <dd>{formatDate(order.ordered_at, i18n.language)}</dd>
          </div>
        )}
        {order.received_at && (
          <div>
            <dt>{t('orders.fields.receivedAt')}</dt>
            <dd>{formatDateTime(order.received_at, i18n.language)}</dd>
          </div>
        )}
        {order.notes && (
          <div className="wide">
            <dt>{t('orders.fields.notes')}</dt>
            <dd>{order.notes}</dd>
          </div>
        )}
      </dl>
      {!canChange ? (
        <p className="muted">{t('orders.readOnly')}</p>
      ) : open ? (
        <div className="form-actions">
          <button type="button" className="primary" data-autofocus onClick={() => onMode('receive')}>
            {t('orders.actions.receive')}
          </button>
          {order.status === 'ordered' && (
            <button type="button" className="secondary" onClick={() => onMode('ship')}>
              {t('orders.actions.ship')}
            </button>
          )}
          <button type="button" className="secondary" onClick={() => onMode('edit')}>
            {t('orders.actions.edit')}
          </button>
          <button type="button" className="danger" onClick={() => onMode('cancel')}>
            {t('orders.actions.cancel')}
          </button>
        </div>
      ) : order.status === 'received' ? (
        <p className="muted" data-testid="order-fully-received">{t('orders.receiveForm.fullyReceived')}</p>
      ) : null}
      {order.refusal && (
        <p>
          <Link to={ROUTES.attention}>{t('orders.seeAttention')}</Link>
        </p>
      )}
    </div>
  );
}
