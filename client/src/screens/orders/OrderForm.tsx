import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useLiveQuery } from '../../db/react.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormActions, FormError } from '../../ui/fields.tsx';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { useContractForm } from '../../ui/use-contract-form.ts';
import './orders.css';
import { likePattern, localDate, PART_OPTIONS_SQL, suggestedQuantity, type OrderRow, type PartOption } from './orders-query.ts';

/**
 * The order forms: a new order (order.create, with a part picker; prefilled from a part that is
 * low on stock), and on an order: edit (order.update, a field edit), mark shipped (order.ship),
 * receive all or part (order.receive, a new movement id for each delivery) and cancel.
 */

const whole = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());

/** Type a part number or name, pick from the matches. */
function PartPicker({ id, value, onChange, error, describedBy }: { id: string; value: PartOption | null; onChange: (part: PartOption | null) => void; error?: string; describedBy?: string }) {
  const { t, i18n } = useTranslation();
  const listId = useId();
  const [text, setText] = useState('');
  const matches = useLiveQuery<PartOption>(PART_OPTIONS_SQL, [likePattern(text.trim())])?.rows;
  if (value) {
    return (
      <div className="order-part-chosen" data-testid="order-part-chosen" data-part-id={value.id}>
        <span>
          {t('orders.partChosen', {
            partNumber: value.part_number,
            name: value.name,
            quantity: formatNumber(value.quantity, i18n.language),
            min: formatNumber(value.min_quantity ?? 0, i18n.language),
          })}
        </span>
        <button type="button" className="secondary" onClick={() => onChange(null)}>
          {t('orders.changePart')}
        </button>
      </div>
    );
  }
  return (
    <div className="order-part-picker">
      <input
        id={id}
        type="search"
        autoComplete="off"
        placeholder={t('orders.partPlaceholder')}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        aria-controls={listId}
        onChange={(event) => setText(event.target.value)}
      />
      {text.trim() !== '' && (
        <ul id={listId} className="order-part-options" aria-label={t('orders.fields.part')}>
          {matches?.length === 0 && <li className="muted">{t('orders.noPartMatches')}</li>}
          {matches?.map((part) => (
            <li key={part.id}>
              <button type="button" className="secondary" data-testid="order-part-option" data-part-number={part.part_number} onClick={() => onChange(part)}>
                <strong>{part.part_number}</strong> {part.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface OrderCreateValues {
  part: PartOption | null;
  orderNumber: string;
  supplier: string;
  quantityOrdered: string;
  expectedAt: string;
  trackingNumber: string;
  notes: string;
}

/** What a chosen part suggests: its supplier, what brings it above its minimum, its lead time. */
function suggestionsFor(part: PartOption): Partial<OrderCreateValues> {
  return {
    supplier: part.supplier ?? '',
    quantityOrdered: String(suggestedQuantity(part)),
    ...(part.lead_time_days != null && { expectedAt: localDate(part.lead_time_days) }),
  };
}

/** The "New order" form; `part` prefills it (the part panel's "Order more"). */
export function OrderCreateDialog({ onClose, part, onCreated }: { onClose: () => void; part?: PartOption; onCreated?: (orderId: string) => void }) {
  const { t, i18n } = useTranslation();
  const [id] = useState(() => uuidv7());
  const { form, submit, formError, busy, errorOf } = useContractForm<'order.create', OrderCreateValues>({
    command: 'order.create',
    defaultValues: {
      part: part ?? null, orderNumber: '', supplier: '', quantityOrdered: '1', expectedAt: '', trackingNumber: '', notes: '',
      ...(part && suggestionsFor(part)),
    },
    toArgs: (values) => ({
      id,
      partId: values.part?.id as string,
      orderNumber: values.orderNumber.trim(),
      supplier: blankToNull(values.supplier),
      quantityOrdered: whole(values.quantityOrdered) as number,
      expectedAt: values.expectedAt || null,
      trackingNumber: blankToNull(values.trackingNumber),
      notes: blankToNull(values.notes),
    }),
    onRecorded: (args) => {
      onCreated?.(args.id);
      onClose();
    },
  });
  const { register } = form;
  const chosen = form.watch('part');

  function choose(next: PartOption | null) {
    form.setValue('part', next, { shouldValidate: form.formState.isSubmitted });
    if (!next) return;
    const suggested = suggestionsFor(next);
    if (!form.getValues('supplier').trim() && suggested.supplier) form.setValue('supplier', suggested.supplier);
    if (!form.getValues('expectedAt') && suggested.expectedAt) form.setValue('expectedAt', suggested.expectedAt);
    if (next.quantity <= (next.min_quantity ?? 0)) form.setValue('quantityOrdered', suggested.quantityOrdered!);
  }

  const lowStock = !!chosen && chosen.quantity <= (chosen.min_quantity ?? 0);
  const quantityHint = chosen && lowStock
    ? t('orders.suggestQuantity', { quantity: chosen.quantity, after: chosen.quantity + suggestedQuantity(chosen), min: chosen.min_quantity ?? 0 })
    : undefined;
  const expectedHint = chosen?.lead_time_days != null
    ? t('orders.suggestExpected', { count: chosen.lead_time_days, date: formatDate(localDate(chosen.lead_time_days), i18n.language) })
    : undefined;

  return (
    <Dialog label={t('orders.newOrder')} heading={t('orders.newOrder')} onClose={onClose} className="order-dialog" testId="order-create-dialog">
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('orders.fields.part')} error={errorOf('partId')}>
          {({ id: inputId, describedBy }) => <PartPicker id={inputId} value={chosen} onChange={choose} error={errorOf('partId')} describedBy={describedBy} />}
        </Field>
        <div className="field-row">
          <Field label={t('orders.fields.orderNumber')} error={errorOf('orderNumber')}>
            {({ id: inputId, describedBy }) => (
              <input id={inputId} maxLength={64} autoComplete="off" data-autofocus={part ? true : undefined} aria-describedby={describedBy} {...register('orderNumber')} />
            )}
          </Field>
          <Field label={t('orders.fields.supplier')} error={errorOf('supplier')}>
            {({ id: inputId, describedBy }) => <input id={inputId} maxLength={100} aria-describedby={describedBy} {...register('supplier')} />}
          </Field>
        </div>
        <div className="field-row">
          <Field label={t('orders.fields.quantityOrdered')} error={errorOf('quantityOrdered')} hint={quantityHint}>
            {({ id: inputId, describedBy }) => <input id={inputId} inputMode="numeric" maxLength={8} aria-describedby={describedBy} {...register('quantityOrdered')} />}
          </Field>
          <Field label={t('orders.fields.expectedAt')} error={errorOf('expectedAt')} hint={expectedHint}>
            {({ id: inputId, describedBy }) => <input id={inputId} type="date" aria-describedby={describedBy} {...register('expectedAt')} />}
          </Field>
        </div>
        <Field label={t('orders.fields.trackingNumber')} error={errorOf('trackingNumber')}>
          {({ id: inputId, describedBy }) => <input id={inputId} maxLength={100} autoComplete="off" aria-describedby={describedBy} {...register('trackingNumber')} />}
        </Field>
        <Field label={t('orders.fields.notes')} error={errorOf('notes')}>
          {({ id: inputId, describedBy }) => (
            <>
              <textarea id={inputId} rows={2} maxLength={2000} aria-describedby={describedBy} {...register('notes')} />
              <DictateInto form={form} name="notes" />
            </>
          )}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('orders.createOrder')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// ---- on an order ---------------------------------------------------------------------------

interface OrderEditValues {
  orderNumber: string;
  supplier: string;
  quantityOrdered: string;
  expectedAt: string;
  trackingNumber: string;
  notes: string;
}

interface OrderFields {
  orderNumber: string;
  supplier: string | null;
  quantityOrdered: number;
  expectedAt: string | null;
  trackingNumber: string | null;
  notes: string | null;
}

function orderFieldsOf(values: OrderEditValues): OrderFields {
  return {
    orderNumber: values.orderNumber.trim(),
    supplier: blankToNull(values.supplier),
    quantityOrdered: whole(values.quantityOrdered) as number,
    expectedAt: values.expectedAt || null,
    trackingNumber: blankToNull(values.trackingNumber),
    notes: blankToNull(values.notes),
  };
}

/** Edits only what changed, with the values the form started from (a field edit). */
export function OrderEditForm({ order, onDone }: { order: OrderRow; onDone: () => void }) {
  const { t } = useTranslation();
  const [start] = useState<OrderEditValues>(() => ({
    orderNumber: order.order_number,
    supplier: order.supplier ?? '',
    quantityOrdered: String(order.quantity_ordered),
    expectedAt: order.expected_at ?? '',
    trackingNumber: order.tracking_number ?? '',
    notes: order.notes ?? '',
  }));
  const [base] = useState(() => orderFieldsOf(start));
  const changed = (now: OrderFields) => (Object.keys(now) as (keyof OrderFields)[]).filter((field) => now[field] !== base[field]);
  const { form, submit, formError, busy, errorOf } = useContractForm<'order.update', OrderEditValues>({
    command: 'order.update',
    defaultValues: start,
    toArgs: (values) => {
      const now = orderFieldsOf(values);
      const fields = changed(now);
      return {
        id: order.id,
        changes: Object.fromEntries(fields.map((field) => [field, now[field]])),
        base: Object.fromEntries(fields.map((field) => [field, base[field]])),
      };
    },
    onRecorded: onDone,
  });
  const { register } = form;
  return (
    <form
      className="cy-form"
      aria-label={t('orders.editTitle')}
      noValidate
      onSubmit={(event) => {
        if (changed(orderFieldsOf(form.getValues())).length === 0) {
          event.preventDefault();
          onDone();
          return;
        }
        void submit(event);
      }}
    >
      <h3>{t('orders.editTitle')}</h3>
      <div className="field-row">
        <Field label={t('orders.fields.orderNumber')} error={errorOf('orderNumber')}>
          {({ id, describedBy }) => <input id={id} data-autofocus maxLength={64} aria-describedby={describedBy} {...register('orderNumber')} />}
        </Field>
        <Field label={t('orders.fields.supplier')} error={errorOf('supplier')}>
          {({ id, describedBy }) => <input id={id} maxLength={100} aria-describedby={describedBy} {...register('supplier')} />}
        </Field>
      </div>
      <div className="field-row">
        <Field label={t('orders.fields.quantityOrdered')} error={errorOf('quantityOrdered')}>
          {({ id, describedBy }) => <input id={id} inputMode="numeric" maxLength={8} aria-describedby={describedBy} {...register('quantityOrdered')} />}
        </Field>
        <Field label={t('orders.fields.expectedAt')} error={errorOf('expectedAt')}>
          {({ id, describedBy }) => <input id={id} type="date" aria-describedby={describedBy} {...register('expectedAt')} />}
        </Field>
      </div>
      <Field label={t('orders.fields.trackingNumber')} error={errorOf('trackingNumber')}>
        {({ id, describedBy }) => <input id={id} maxLength={100} aria-describedby={describedBy} {...register('trackingNumber')} />}
      </Field>
      <Field label={t('orders.fields.notes')} error={errorOf('notes')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} rows={2} maxLength={2000} aria-describedby={describedBy} {...register('notes')} />
            <DictateInto form={form} name="notes" />
          </>
        )}
      </Field>
      <FormError message={formError} />
      <FormActions submitLabel={t('orders.actions.save')} busy={busy} backLabel={t('orders.actions.back')} onBack={onDone} />
    </form>
  );
}

/**
 * One delivery: the quantity defaults to what is still to come. Each delivery is its own stock
 * movement (its own id), so two deliveries received on two tablets both count.
 */
export function ReceiveForm({ order, onDone }: { order: OrderRow; onDone: (received: number) => void }) {
  const { t } = useTranslation();
  const [movementId] = useState(() => uuidv7());
  const outstanding = Math.max(1, order.quantity_ordered - order.quantity_received);
  const { form, submit, formError, busy, errorOf } = useContractForm<'order.receive', { quantity: string }>({
    command: 'order.receive',
    defaultValues: { quantity: String(outstanding) },
    toArgs: (values) => ({ id: order.id, movementId, quantity: whole(values.quantity) as number }),
    onRecorded: (args) => onDone(args.quantity),
  });
  return (
    <form className="cy-form" aria-label={t('orders.receiveForm.title')} noValidate onSubmit={(event) => void submit(event)}>
      <h3>{t('orders.receiveForm.title')}</h3>
      <Field
        label={t('orders.receiveForm.quantity')}
        error={errorOf('quantity')}
        hint={`${t('orders.outstanding', { count: order.quantity_ordered - order.quantity_received })} · ${t('orders.receiveForm.hint', { partNumber: order.part_number ?? '' })}`}
      >
        {({ id, describedBy }) => <input id={id} data-autofocus inputMode="numeric" maxLength={8} aria-describedby={describedBy} {...form.register('quantity')} />}
      </Field>
      <FormError message={formError} />
      <FormActions submitLabel={t('orders.receiveForm.submit')} busy={busy} backLabel={t('orders.actions.back')} onBack={() => onDone(0)} />
    </form>
  );
}

export function ShipForm({ order, onDone }: { order: OrderRow; onDone: () => void }) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'order.ship', { trackingNumber: string }>({
    command: 'order.ship',
    defaultValues: { trackingNumber: order.tracking_number ?? '' },
    toArgs: (values) => ({ id: order.id, trackingNumber: blankToNull(values.trackingNumber) }),
    onRecorded: onDone,
  });
  return (
    <form className="cy-form" aria-label={t('orders.shipForm.title')} noValidate onSubmit={(event) => void submit(event)}>
      <h3>{t('orders.shipForm.title')}</h3>
      <Field label={t('orders.fields.trackingNumber')} error={errorOf('trackingNumber')}>
        {({ id, describedBy }) => <input id={id} data-autofocus maxLength={100} autoComplete="off" aria-describedby={describedBy} {...form.register('trackingNumber')} />}
      </Field>
      <FormError message={formError} />
      <FormActions submitLabel={t('orders.shipForm.submit')} busy={busy} backLabel={t('orders.actions.back')} onBack={onDone} />
    </form>
  );
}

export function CancelOrderForm({ order, onDone }: { order: OrderRow; onDone: () => void }) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'order.cancel', { reason: string }>({
    command: 'order.cancel',
    defaultValues: { reason: '' },
    toArgs: (values) => ({ id: order.id, reason: blankToNull(values.reason) }),
    onRecorded: onDone,
  });
  return (
    <form className="cy-form" aria-label={t('orders.cancelForm.title')} noValidate onSubmit={(event) => void submit(event)}>
      <h3>{t('orders.cancelForm.title')}</h3>
      <Field label={t('orders.cancelForm.reason')} error={errorOf('reason')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} data-autofocus rows={2} maxLength={1000} aria-describedby={describedBy} {...form.register('reason')} />
            <DictateInto form={form} name="reason" />
          </>
        )}
      </Field>
      <FormError message={formError} />
      <FormActions submitLabel={t('orders.cancelForm.confirm')} busy={busy} backLabel={t('orders.actions.back')} onBack={onDone} danger />
    </form>
  );
}
