import { LOG_KINDS, type LogKind } from '@cimco/contract';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { CheckboxField, Field, FormError } from '../../ui/fields.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { EquipmentPicker } from '../tasks/EquipmentPicker.tsx';
import { SimilarFixes } from '../knowledge/SimilarFixes.tsx';
import type { MachineOption } from '../tasks/reference-data.ts';

interface LogFormValues {
  id: string;
  equipment: { id: string; label: string } | null;
  kind: LogKind;
  body: string;
  hoursSpent: string;
  meterReading: string;
  lotoConfirmed: boolean;
}

/** '' → null, anything else a number (a typo becomes NaN, which the schema refuses as "enter a number"). */
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text.replace(',', '.')));

/**
 * "Add log entry": what kind of work, what was done, hours spent, a meter reading (which moves
 * the machine's meter forward), and lock-out/tag-out — required for repair work. Records log.add,
 * checked by its schema from the contract (the same rules the server applies), on a machine given
 * by the page it was opened from (or chosen here) and, from a task, with that task.
 */
export function LogEntryDialog({
  machine,
  machines = [],
  taskId,
  meter,
  onClose,
  onRecorded,
}: {
  /** The machine the entry is on; without it the form asks. */
  machine?: { id: string; label: string };
  /** The picker's choices when no machine is given. */
  machines?: readonly MachineOption[];
  taskId?: string | null;
  /** The machine's meter now, as shown (a hint beside the reading). */
  meter?: string | null;
  onClose: () => void;
  onRecorded?: () => void;
}) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'log.add', LogFormValues>({
    command: 'log.add',
    // One id per form: a second submit after a refusal records the same entry, never two.
    defaultValues: { id: uuidv7(), equipment: machine ?? null, kind: 'inspection', body: '', hoursSpent: '', meterReading: '', lotoConfirmed: false },
    toArgs: (values) => ({
      id: values.id,
      // Left out when no machine is chosen: the schema says "required" under the picker.
      equipmentId: values.equipment?.id as string,
      taskId: taskId ?? null,
      kind: values.kind,
      body: values.body,
      hoursSpent: numberOrNull(values.hoursSpent),
      meterReading: numberOrNull(values.meterReading),
      lotoConfirmed: values.lotoConfirmed,
    }),
    onRecorded: () => {
      onRecorded?.();
      onClose();
    },
  });
  const { register } = form;
  const kind = form.watch('kind');
  const equipment = form.watch('equipment');
  const body = form.watch('body');

  return (
    <Dialog
      label={t('log.addEntry')}
      heading={machine ? t('log.entryFor', { machine: machine.label }) : t('log.addEntry')}
      onClose={onClose}
      className="log-dialog"
      testId="log-entry-dialog"
    >
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        {!machine && (
          <Field label={t('log.fields.machine')} error={errorOf('equipmentId')}>
            {({ id, errorId }) => (
              <EquipmentPicker
                id={id}
                machines={machines}
                value={equipment?.id ?? null}
                selectedLabel={equipment?.label ?? ''}
                onChange={(chosen) => form.setValue('equipment', chosen)}
                error={errorOf('equipmentId')}
                errorId={errorId}
              />
            )}
          </Field>
        )}
        <Field label={t('log.fields.kind')} error={errorOf('kind')}>
          {({ id, describedBy }) => (
            <select id={id} data-autofocus aria-describedby={describedBy} {...register('kind')}>
              {LOG_KINDS.map((value) => (
                <option key={value} value={value}>
                  {t(`log.kinds.${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('log.fields.body')} error={errorOf('body')}>
          {({ id, describedBy }) => (
            <>
              <textarea id={id} rows={4} maxLength={8000} placeholder={t('log.fields.bodyPlaceholder')} aria-describedby={describedBy} {...register('body')} />
              <DictateInto form={form} name="body" />
            </>
          )}
        </Field>
        <SimilarFixes text={body} equipmentId={equipment?.id} />
        <div className="field-row">
          <Field label={t('log.fields.hoursSpent')} error={errorOf('hoursSpent')}>
            {({ id, describedBy }) => (
              <input id={id} inputMode="decimal" autoComplete="off" aria-invalid={errorOf('hoursSpent') ? true : undefined} aria-describedby={describedBy} {...register('hoursSpent')} />
            )}
          </Field>
          <Field
            label={t('log.fields.meterReading')}
            error={errorOf('meterReading')}
            hint={meter ? t('log.fields.meterHint', { meter }) : undefined}
          >
            {({ id, describedBy }) => (
              <input
                id={id}
                inputMode="decimal"
                autoComplete="off"
                aria-invalid={errorOf('meterReading') ? true : undefined}
                aria-describedby={describedBy}
                {...register('meterReading')}
              />
            )}
          </Field>
        </div>
        <CheckboxField label={t('log.fields.loto')} error={errorOf('lotoConfirmed')}>
          {({ id, describedBy }) => <input id={id} type="checkbox" aria-describedby={describedBy} {...register('lotoConfirmed')} />}
        </CheckboxField>
        {kind === 'repair' && <p className="field-hint">{t('log.fields.lotoHint')}</p>}
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('log.addEntry')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
