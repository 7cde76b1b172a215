import { mayRun, WEAR_RATING_MAX, WEAR_RATING_MIN } from '@cimco/contract';
import { useId, useState, type FormEvent } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { v7 as uuidv7 } from 'uuid';
import { paths } from '../../app/paths.ts';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { OrderCreateDialog } from '../orders/OrderForm.tsx';
import { CATEGORIES_SQL, LOCATIONS_SQL, type PartDetailRow } from './parts-query.ts';
import './part-form.css';

/**
 * The parts catalog's form: every field of a part, for a new part (part.create) or an edit of one
 * (part.update, a field edit: only the fields changed, each with the value the form started from).
 * A part number the tablet already has (whatever its case) is not recorded: the form offers to
 * open the existing part instead. One the tablet did not know yet is refused by the server, and
 * Needs attention offers the same.
 */

/** The fields as typed (strings), named as the contract's arguments. */
interface PartFormValues {
  partNumber: string;
  name: string;
  description: string;
  category: string;
  partType: string;
  manufacturer: string;
  supplier: string;
  unitCost: string;
  minQuantity: string;
  unit: string;
  leadTimeDays: string;
  location: string;
  wearRating: string;
}

/** The contract's part fields, as the command carries them. */
interface PartFields {
  partNumber: string;
  name: string;
  description: string | null;
  category: string | null;
  partType: string | null;
  manufacturer: string | null;
  supplier: string | null;
  unitCost: number | null;
  minQuantity: number;
  unit: string;
  leadTimeDays: number | null;
  location: string | null;
  wearRating: number | null;
}

const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());
/** "12,50" and "12.50" are the same money; blank is none; anything else is left for the schema to refuse. */
const decimal = (text: string) => (text.trim() === '' ? null : Number(text.trim().replace(',', '.')));
const whole = (text: string) => (text.trim() === '' ? null : Number(text.trim()));

function fieldsOf(values: PartFormValues): PartFields {
  return {
    partNumber: values.partNumber.trim(),
    name: values.name.trim(),
    description: blankToNull(values.description),
    category: blankToNull(values.category),
    partType: blankToNull(values.partType),
    manufacturer: blankToNull(values.manufacturer),
    supplier: blankToNull(values.supplier),
    unitCost: decimal(values.unitCost),
    minQuantity: whole(values.minQuantity) ?? 0,
    unit: values.unit.trim(),
    leadTimeDays: whole(values.leadTimeDays),
    location: blankToNull(values.location),
    wearRating: whole(values.wearRating),
  };
}

function valuesOf(part: PartDetailRow): PartFormValues {
  const text = (value: string | number | null | undefined) => (value == null ? '' : String(value));
  return {
    partNumber: part.part_number,
    name: part.name,
    description: text(part.description),
    category: text(part.category),
    partType: text(part.part_type),
    manufacturer: text(part.manufacturer),
    supplier: text(part.supplier),
    unitCost: part.unit_cost == null ? '' : String(Number(part.unit_cost)),
    minQuantity: text(part.min_quantity ?? 0),
    unit: text(part.unit),
    leadTimeDays: text(part.lead_time_days),
    location: text(part.location),
    wearRating: text(part.wear_rating),
  };
}

const EMPTY: PartFormValues = {
  partNumber: '', name: '', description: '', category: '', partType: '', manufacturer: '', supplier: '',
  unitCost: '', minQuantity: '0', unit: 'ea', leadTimeDays: '', location: '', wearRating: '',
};

/** The fields an edit changes, by value (12.5 and "12.50" are the same cost). */
function changedFields(now: PartFields, base: PartFields): (keyof PartFields)[] {
  return (Object.keys(now) as (keyof PartFields)[]).filter((field) => now[field] !== base[field]);
}

// The part-number index (parts_number_idx); `search is not null` = not deleted.
const SAME_NUMBER_SQL = `select id, part_number, name from parts
  where upper(part_number) = upper($1) and search is not null and id <> $2 limit 1`;
interface ExistingPart {
  id: string;
  part_number: string;
  name: string;
}

/** The part that already has this number (another than `selfId`), kept up to date as it is typed. */
function useSameNumber(partNumber: string, selfId: string): ExistingPart | undefined {
  return useLiveQuery<ExistingPart>(SAME_NUMBER_SQL, [partNumber.trim(), selfId])?.rows[0];
}

/** "Part X already exists — open it". */
function DuplicateNotice({ existing, onOpen }: { existing: ExistingPart; onOpen: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="notice part-duplicate" role="alert" data-testid="part-duplicate">
      <span>{t('catalog.duplicate', { partNumber: existing.part_number, name: existing.name })}</span>{' '}
      <button
        type="button"
        className="secondary"
        aria-label={t('catalog.openExistingPart', { partNumber: existing.part_number })}
        onClick={() => {
          onOpen();
          void navigate(paths.part(existing.part_number));
        }}
      >
        {t('catalog.openExisting')}
      </button>
    </div>
  );
}

/** Every field of a part (the same for a new part and an edit). */
function PartFieldset({ form, errorOf }: { form: UseFormReturn<PartFormValues>; errorOf: (field: string) => string | undefined }) {
  const { t } = useTranslation();
  const { register } = form;
  const ids = useId();
  const categories = useLiveQuery<{ value: string }>(CATEGORIES_SQL, [])?.rows;
  const locations = useLiveQuery<{ value: string }>(LOCATIONS_SQL, [])?.rows;
  const text = (field: keyof PartFormValues, maxLength: number, extra: { autofocus?: boolean; list?: string; inputMode?: 'decimal' | 'numeric'; hint?: string } = {}) => (
    <Field label={t(`catalog.fields.${field}`)} error={errorOf(field)} hint={extra.hint}>
      {({ id, describedBy }) => (
        <input
          id={id}
          maxLength={maxLength}
          data-autofocus={extra.autofocus || undefined}
          list={extra.list}
          inputMode={extra.inputMode}
          autoComplete="off"
          aria-invalid={errorOf(field) ? true : undefined}
          aria-describedby={describedBy}
          {...register(field)}
        />
      )}
    </Field>
  );
  return (
    <>
      <div className="field-row">
        {text('partNumber', 64, { autofocus: true })}
        {text('name', 200)}
      </div>
      <Field label={t('catalog.fields.description')} error={errorOf('description')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} rows={2} maxLength={4000} aria-describedby={describedBy} {...register('description')} />
            <DictateInto form={form} name="description" />
          </>
        )}
      </Field>
      <div className="field-row">
        {text('category', 64, { list: `${ids}-categories` })}
        {text('partType', 64)}
      </div>
      <div className="field-row">
        {text('manufacturer', 100)}
        {text('supplier', 100)}
      </div>
      <div className="field-row">
        {text('unitCost', 20, { inputMode: 'decimal', hint: t('catalog.unitCostHint') })}
        {text('unit', 16)}
      </div>
      <div className="field-row">
        {text('minQuantity', 8, { inputMode: 'numeric' })}
        {text('leadTimeDays', 5, { inputMode: 'numeric' })}
      </div>
      <div className="field-row">
        {text('location', 64, { list: `${ids}-locations` })}
        <Field label={t('catalog.fields.wearRating')} error={errorOf('wearRating')}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} {...register('wearRating')}>
              <option value="">{t('catalog.wearNone')}</option>
              {Array.from({ length: WEAR_RATING_MAX - WEAR_RATING_MIN + 1 }, (_, i) => WEAR_RATING_MIN + i).map((rating) => (
                <option key={rating} value={String(rating)}>
                  {t('catalog.wearLevel', { rating })}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <datalist id={`${ids}-categories`}>
        {categories?.map(({ value }) => <option key={value} value={value} />)}
      </datalist>
      <datalist id={`${ids}-locations`}>
        {locations?.map(({ value }) => <option key={value} value={value} />)}
      </datalist>
    </>
  );
}

/** The "New part" form; the new part opens once recorded. */
export function PartCreateDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const navigate = useNavigate();
  // Made once per form: a second submit after a refusal records the same part.
  const [id] = useState(() => uuidv7());
  const { form, submit, formError, busy, errorOf } = useContractForm<'part.create', PartFormValues>({
    command: 'part.create',
    defaultValues: EMPTY,
    toArgs: (values) => ({ id, ...fieldsOf(values) }),
    onRecorded: (args) => {
      onClose();
      void navigate(paths.part(args.partNumber.trim()));
    },
  });
  const existing = useSameNumber(form.watch('partNumber'), id);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    // Checked again at the moment of recording, not only as typed.
    const { rows } = await db.query<ExistingPart>(SAME_NUMBER_SQL, [form.getValues('partNumber').trim(), id]);
    if (rows[0]) return;
    await submit(event);
  }

  return (
    <Dialog label={t('catalog.newPart')} heading={t('catalog.newPart')} onClose={onClose} className="part-form-dialog" testId="part-create-dialog">
      <form className="cy-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <PartFieldset form={form} errorOf={errorOf} />
        {existing && <DuplicateNotice existing={existing} onOpen={onClose} />}
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !!existing}>
            {t('catalog.createPart')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Editing a part: records only what changed, with the values the form started from. */
export function PartEditDialog({ part, onClose }: { part: PartDetailRow; onClose: () => void }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const navigate = useNavigate();
  // The values the edit starts from: kept as they were when the form opened.
  const [start] = useState(() => valuesOf(part));
  const [base] = useState(() => fieldsOf(start));
  const { form, submit, formError, busy, errorOf } = useContractForm<'part.update', PartFormValues>({
    command: 'part.update',
    defaultValues: start,
    toArgs: (values) => {
      const now = fieldsOf(values);
      const changed = changedFields(now, base);
      return {
        id: part.id,
        changes: Object.fromEntries(changed.map((field) => [field, now[field]])),
        base: Object.fromEntries(changed.map((field) => [field, base[field]])),
      };
    },
    onRecorded: (args) => {
      onClose();
      // The part's URL is its number: a new number, a new URL.
      const renamed = args.changes.partNumber;
      if (typeof renamed === 'string') void navigate(paths.part(renamed.trim()), { replace: true });
    },
  });
  const existing = useSameNumber(form.watch('partNumber'), part.id);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const now = fieldsOf(form.getValues());
    if (changedFields(now, base).length === 0) {
      onClose();
      return;
    }
    if (now.partNumber !== base.partNumber) {
      const { rows } = await db.query<ExistingPart>(SAME_NUMBER_SQL, [now.partNumber, part.id]);
      if (rows[0]) return;
    }
    await submit(event);
  }

  return (
    <Dialog label={t('catalog.editPart')} heading={`${t('catalog.editPart')} · ${part.part_number}`} onClose={onClose} className="part-form-dialog" testId="part-edit-dialog">
      <form className="cy-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <PartFieldset form={form} errorOf={errorOf} />
        {existing && <DuplicateNotice existing={existing} onOpen={onClose} />}
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !!existing}>
            {t('catalog.save')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The parts screen's "New part" button (storeroom, supervisor, admin). */
export function NewPartButton({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!mayRun(session.role, 'part.create')) return null;
  return (
    <>
      <button type="button" className="primary parts-new" onClick={() => setOpen(true)}>
        {t('catalog.newPart')}
      </button>
      {open && <PartCreateDialog onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * A part's catalog actions in its panel: Edit (storeroom, supervisor, admin) and, when its stock is
 * at or below the minimum, an order for what brings it back above.
 */
export function PartCatalogActions({ part, session }: { part: PartDetailRow; session: LocalSession }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<'edit' | 'order' | null>(null);
  const canEdit = mayRun(session.role, 'part.update');
  const lowStock = part.quantity <= (part.min_quantity ?? 0);
  const canOrder = lowStock && mayRun(session.role, 'order.create');
  if (part.deleted_at || (!canEdit && !canOrder)) return null;
  return (
    <div className="part-catalog-actions">
      {canOrder && (
        <>
          <span className="muted">{t('catalog.orderHint')}</span>
          <button type="button" className="primary" onClick={() => setOpen('order')}>
            {t('catalog.order')}
          </button>
        </>
      )}
      {canEdit && (
        <button type="button" className="secondary" onClick={() => setOpen('edit')}>
          {t('catalog.edit')}
        </button>
      )}
      {open === 'edit' && <PartEditDialog part={part} onClose={() => setOpen(null)} />}
      {open === 'order' && (
        <OrderCreateDialog
          onClose={() => setOpen(null)}
          part={{
            id: part.id,
            part_number: part.part_number,
            name: part.name,
            supplier: part.supplier,
            quantity: part.quantity,
            min_quantity: part.min_quantity,
            lead_time_days: part.lead_time_days,
          }}
        />
      )}
    </div>
  );
}
