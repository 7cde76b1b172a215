import { EQUIPMENT_TYPES, METER_UNITS, type CommandInput, type EquipmentType, type MeterUnit } from '@cimco/contract';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormActions, FormError } from '../../ui/fields.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { EquipmentPicker, machineLabel } from '../tasks/EquipmentPicker.tsx';
import type { MachineOption } from '../tasks/reference-data.ts';
import { priorityKey } from '../tasks/task-model.ts';
import type { EquipmentRow } from './equipment-model.ts';

/** The form's fields, as typed (strings for numbers, '' for blank). */
interface MachineValues {
  id: string;
  tag: string;
  name: string;
  type: EquipmentType;
  area: string;
  make: string;
  model: string;
  serial: string;
  parent: { id: string; label: string } | null;
  criticality: string;
  meter: string;
  meterUnit: MeterUnit;
  notes: string;
}

/** A machine's editable fields as the contract names them. */
interface MachineFields {
  tag: string;
  name: string;
  type: EquipmentType;
  area: string | null;
  make: string | null;
  model: string | null;
  serial: string | null;
  parentId: string | null;
  criticality: number;
  meter: number | null;
  meterUnit: MeterUnit;
  notes: string | null;
}

const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());

function fieldsOf(values: MachineValues): MachineFields {
  return {
    tag: values.tag.trim(),
    name: values.name,
    type: values.type,
    area: blankToNull(values.area),
    make: blankToNull(values.make),
    model: blankToNull(values.model),
    serial: blankToNull(values.serial),
    parentId: values.parent?.id ?? null,
    criticality: Number(values.criticality),
    meter: values.meter.trim() === '' ? null : Number(values.meter.replace(',', '.')),
    meterUnit: values.meterUnit,
    notes: blankToNull(values.notes),
  };
}

function valuesOf(machine: EquipmentRow, parentLabel: string): MachineValues {
  return {
    id: machine.id,
    tag: machine.tag,
    name: machine.name,
    type: machine.type as EquipmentType,
    area: machine.area ?? '',
    make: machine.make ?? '',
    model: machine.model ?? '',
    serial: machine.serial ?? '',
    parent: machine.parent_id ? { id: machine.parent_id, label: parentLabel } : null,
    criticality: String(machine.criticality ?? 2),
    meter: machine.meter == null ? '' : String(Number(machine.meter)),
    meterUnit: (machine.meter_unit ?? 'hours') as MeterUnit,
    notes: machine.notes ?? '',
  };
}

const EMPTY: Omit<MachineValues, 'id'> = {
  tag: '', name: '', type: 'other', area: '', make: '', model: '', serial: '', parent: null, criticality: '2', meter: '', meterUnit: 'hours', notes: '',
};

/** The changed fields and what each was when the edit began (a field edit: the server merges). */
function edit(machine: EquipmentRow, base: MachineFields, values: MachineValues): CommandInput<'equipment.update'> {
  const now = fieldsOf(values);
  const changed = (Object.keys(now) as (keyof MachineFields)[]).filter((field) => now[field] !== base[field]);
  return {
    id: machine.id,
    changes: Object.fromEntries(changed.map((field) => [field, now[field]])),
    base: Object.fromEntries(changed.map((field) => [field, base[field]])),
  };
}

/**
 * New machine (equipment.create) or edit of one (equipment.update with the values the edit
 * started from), for supervisors and admins. The parent is picked from the machines in service.
 */
export function MachineFormDialog({
  machine,
  parentLabel = '',
  machines,
  takenTags,
  onClose,
  onSaved,
}: {
  /** The machine to edit; without it, a new one. */
  machine?: EquipmentRow;
  parentLabel?: string;
  machines: readonly MachineOption[];
  /** Every machine's tag in upper case (retired ones too) → its id: a tag is the yard's one name for a plate. */
  takenTags: ReadonlyMap<string, string>;
  onClose: () => void;
  onSaved?: (tag: string) => void;
}) {
  const { t } = useTranslation();
  const editing = !!machine;
  const [base] = useState(() => (machine ? fieldsOf(valuesOf(machine, parentLabel)) : null));
  const defaults: MachineValues = machine ? valuesOf(machine, parentLabel) : { id: uuidv7(), ...EMPTY };

  const create = useContractForm<'equipment.create', MachineValues>({
    command: 'equipment.create',
    defaultValues: defaults,
    toArgs: (values) => ({ id: values.id, ...fieldsOf(values) }),
    onRecorded: (args) => {
      onSaved?.(args.tag.trim());
      onClose();
    },
  });
  const update = useContractForm<'equipment.update', MachineValues>({
    command: 'equipment.update',
    defaultValues: defaults,
    toArgs: (values) => edit(machine!, base!, values),
    onRecorded: () => {
      onSaved?.(fieldsOf(update.form.getValues()).tag);
      onClose();
    },
  });
  const { form, submit, formError, busy, errorOf } = editing ? update : create;
  const { register } = form;
  const parent = form.watch('parent');
  // Not itself, nor (to keep the tree a tree) one of its own components.
  const parents = machine ? machines.filter((m) => m.id !== machine.id) : machines;

  function onSubmit(event: FormEvent) {
    const owner = takenTags.get(form.getValues('tag').trim().toUpperCase());
    if (owner && owner !== machine?.id) {
      // The server would refuse it too (duplicate_tag); said here, under the field, before recording.
      event.preventDefault();
      form.setError('tag', { type: 'duplicate', message: t('machine.form.duplicateTag') });
      return;
    }
    if (machine && base && Object.keys(edit(machine, base, form.getValues()).changes).length === 0) {
      // Nothing changed: nothing to record.
      event.preventDefault();
      onClose();
      return;
    }
    void submit(event);
  }

  const text = (field: 'tag' | 'name' | 'area' | 'make' | 'model' | 'serial', label: string, max: number, autofocus = false) => (
    <Field label={label} error={errorOf(field)}>
      {({ id, describedBy }) => (
        <input
          id={id}
          maxLength={max}
          autoComplete="off"
          data-autofocus={autofocus || undefined}
          aria-invalid={errorOf(field) ? true : undefined}
          aria-describedby={describedBy}
          {...register(field)}
        />
      )}
    </Field>
  );

  return (
    <Dialog
      label={editing ? t('machine.actions.edit') : t('machine.form.newTitle')}
      heading={machine ? t('machine.form.editTitle', { tag: machine.tag }) : t('machine.form.newTitle')}
      onClose={onClose}
      testId="machine-form"
    >
      <form className="cy-form" onSubmit={onSubmit} noValidate>
        <div className="field-row">
          {text('tag', t('machine.form.tag'), 40, true)}
          {text('name', t('machine.form.name'), 200)}
        </div>
        <div className="field-row">
          <Field label={t('machine.form.type')} error={errorOf('type')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('type')}>
                {EQUIPMENT_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`equipment.types.${type}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {text('area', t('machine.form.area'), 100)}
        </div>
        <div className="field-row">
          {text('make', t('machine.form.make'), 100)}
          {text('model', t('machine.form.model'), 100)}
          {text('serial', t('machine.form.serial'), 100)}
        </div>
        <Field label={t('machine.form.parent')} error={errorOf('parentId')}>
          {({ id, errorId }) => (
            <EquipmentPicker
              id={id}
              machines={parents}
              value={parent?.id ?? null}
              selectedLabel={parent?.label ?? ''}
              onChange={(chosen) => form.setValue('parent', chosen)}
              error={errorOf('parentId')}
              errorId={errorId}
            />
          )}
        </Field>
        <div className="field-row">
          <Field label={t('machine.form.criticality')} error={errorOf('criticality')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('criticality')}>
                {[1, 2, 3, 4].map((level) => (
                  <option key={level} value={level}>
                    {t(`tasks.priorities.${priorityKey(level)}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('machine.form.meter')} error={errorOf('meter')}>
            {({ id, describedBy }) => (
              <input id={id} inputMode="decimal" autoComplete="off" aria-invalid={errorOf('meter') ? true : undefined} aria-describedby={describedBy} {...register('meter')} />
            )}
          </Field>
          <Field label={t('machine.form.meterUnit')} error={errorOf('meterUnit')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('meterUnit')}>
                {METER_UNITS.map((unit) => (
                  <option key={unit} value={unit}>
                    {t(`equipment.meterUnits.${unit}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field label={t('machine.form.notes')} error={errorOf('notes')}>
          {({ id, describedBy }) => (
            <>
              <textarea id={id} rows={3} maxLength={4000} aria-describedby={describedBy} {...register('notes')} />
              <DictateInto form={form} name="notes" />
            </>
          )}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {editing ? t('machine.form.save') : t('machine.form.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Retire a machine, after saying what that means (equipment.retire, with an optional reason). */
export function RetireDialog({ machine, onClose }: { machine: EquipmentRow; onClose: () => void }) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'equipment.retire', { reason: string }>({
    command: 'equipment.retire',
    defaultValues: { reason: '' },
    toArgs: (values) => ({ id: machine.id, reason: values.reason.trim() || null }),
    onRecorded: onClose,
  });
  return (
    <Dialog label={t('machine.actions.retire')} heading={t('machine.retire.title', { tag: machineLabel(machine) })} onClose={onClose} testId="retire-dialog">
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        <p>{t('machine.retire.explain')}</p>
        <Field label={t('machine.retire.reason')} error={errorOf('reason')}>
          {({ id, describedBy }) => <input id={id} data-autofocus maxLength={1000} aria-describedby={describedBy} {...form.register('reason')} />}
        </Field>
        <FormError message={formError} />
        <FormActions submitLabel={t('machine.retire.confirm')} busy={busy} backLabel={t('common.cancel')} onBack={onClose} danger />
      </form>
    </Dialog>
  );
}
