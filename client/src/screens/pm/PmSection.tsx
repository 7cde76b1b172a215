import { mayRun } from '@cimco/contract';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { v7 as uuidv7 } from 'uuid';
import { paths } from '../../app/paths.ts';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { todayOnTablet } from '../dashboard/dashboard-queries.ts';
import { PriorityAndCategoryFields } from '../tasks/task-options.tsx';
import { PM_SQL, pmParams, type PmRow } from './pm-query.ts';
import './pm.css';

/** "Every 14 days" / "every 250 hours", and when it is next due. */
export function usePmTexts() {
  const { t, i18n } = useTranslation();
  return {
    every: (pm: PmRow) =>
      pm.every_days != null
        ? t('pm.everyDays', { count: pm.every_days })
        : t('pm.everyMeter', { amount: formatNumber(Number(pm.every_meter), i18n.language), unit: t(`equipment.meterUnits.${pm.meter_unit ?? 'hours'}`, { defaultValue: pm.meter_unit ?? '' }) }),
    next: (pm: PmRow) =>
      pm.next_due_on
        ? t('pm.nextOn', { date: formatDate(pm.next_due_on, i18n.language) })
        : t('pm.nextAt', { reading: formatNumber(Number(pm.next_due_meter), i18n.language), meter: formatNumber(Number(pm.meter ?? 0), i18n.language) }),
    when: (pm: PmRow) => t(`pm.when.${pm.due}`),
  };
}

/**
 * A machine's preventive maintenance (on its page): each schedule, when it is next due and
 * whether it is due now, the task made last; supervisors add, change and delete schedules.
 */
export function PmSection({ session, machine }: { session: LocalSession; machine: { id: string; meter: string | null } }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const today = todayOnTablet();
  const params = useMemo(() => pmParams(today, machine.id), [today, machine.id]);
  const schedules = useLiveQuery<PmRow>(PM_SQL, params)?.rows;
  const [editing, setEditing] = useState<PmRow | 'new' | null>(null);
  const [error, setError] = useState<string>();
  const texts = usePmTexts();
  const manage = mayRun(session.role, 'pm.save');

  async function remove(pm: PmRow) {
    if (!window.confirm(t('pm.deleteConfirm', { title: pm.title }))) return;
    setError(undefined);
    try {
      await db.record('pm.delete', { id: pm.id });
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  }

  if (!manage && schedules?.length === 0) return null;
  return (
    <section className="machine-section pm-section" aria-labelledby="pm-title" data-testid="pm-section">
      <div className="pm-header">
        <h3 id="pm-title">{t('pm.title')}</h3>
        {manage && (
          <button type="button" className="secondary" onClick={() => setEditing('new')}>
            {t('pm.add')}
          </button>
        )}
      </div>
      {schedules?.length === 0 && <p className="muted">{t('pm.none')}</p>}
      <ul className="stack-list pm-list">
        {schedules?.map((pm) => (
          <li key={pm.id} className="pm-row" data-testid="pm-row" data-when={pm.due} data-pm-id={pm.id}>
            <div className="pm-row-top">
              <span className={`badge pm-when pm-${pm.due}`}>{texts.when(pm)}</span>
              <strong>{pm.title}</strong>
              {pm.pending && <PendingMarker />}
            </div>
            <p className="muted">
              {texts.every(pm)} · {texts.next(pm)}
              {pm.last_task_id && (
                <>
                  {' · '}
                  <Link to={paths.task(pm.last_task_id)}>{t('pm.lastTask', { status: t(`tasks.status.${pm.last_task_status ?? 'open'}`, { defaultValue: pm.last_task_status ?? '' }) })}</Link>
                </>
              )}
            </p>
            {manage && (
              <div className="form-actions">
                <button type="button" className="secondary" onClick={() => setEditing(pm)}>
                  {t('pm.edit')}
                </button>
                <button type="button" className="danger" onClick={() => void remove(pm)}>
                  {t('pm.delete')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <FormError message={error} />
      {editing && <PmForm equipmentId={machine.id} meter={machine.meter} schedule={editing === 'new' ? undefined : editing} today={today} onClose={() => setEditing(null)} />}
    </section>
  );
}

interface PmValues {
  id: string;
  title: string;
  category: PmRow['category'];
  priority: string;
  checklist: string;
  by: 'days' | 'meter';
  every: string;
  nextDueOn: string;
  nextDueMeter: string;
}

/** '' → undefined (the schema says "required"), else a number (a typo: NaN, "enter a number"). */
const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text.replace(',', '.')));

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const next = new Date(Date.UTC(y!, m! - 1, d! + days));
  return next.toISOString().slice(0, 10);
}

function PmForm({ equipmentId, meter, schedule, today, onClose }: { equipmentId: string; meter: string | null; schedule?: PmRow; today: string; onClose: () => void }) {
  const { t } = useTranslation();
  const heading = schedule ? t('pm.editTitle') : t('pm.add');
  const { form, submit, formError, busy, errorOf } = useContractForm<'pm.save', PmValues>({
    command: 'pm.save',
    // A new schedule's id is made once per form: a second submit after a refusal saves the same one.
    defaultValues: {
      id: schedule?.id ?? uuidv7(),
      title: schedule?.title ?? '',
      category: schedule?.category ?? 'general',
      priority: String(schedule?.priority ?? 2),
      checklist: schedule?.checklist ?? '',
      by: schedule?.every_meter != null ? 'meter' : 'days',
      every: schedule ? String(schedule.every_days ?? Number(schedule.every_meter)) : '',
      nextDueOn: schedule?.next_due_on ?? '',
      nextDueMeter: schedule?.next_due_meter != null ? String(Number(schedule.next_due_meter)) : '',
    },
    toArgs: (values) => {
      const every = numberOrUndefined(values.every);
      const byDays = values.by === 'days';
      // Left empty, the first due date or reading is one interval from now.
      const nextDueOn = values.nextDueOn || (every && Number.isInteger(every) ? addDays(today, every) : undefined);
      const nextDueMeter = numberOrUndefined(values.nextDueMeter) ?? (every !== undefined ? Number(meter ?? 0) + every : undefined);
      return {
        id: values.id,
        equipmentId,
        title: values.title,
        category: values.category,
        priority: Number(values.priority),
        checklist: values.checklist.trim() || null,
        ...(byDays ? { everyDays: every, nextDueOn } : { everyMeter: every, nextDueMeter }),
      };
    },
    onRecorded: () => onClose(),
  });
  const { register } = form;
  const by = form.watch('by');
  return (
    <Dialog label={heading} heading={heading} onClose={onClose} className="task-dialog" testId="pm-form">
      <form className="task-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('pm.fields.title')} error={errorOf('title')}>
          {({ id, describedBy }) => (
            <input id={id} data-autofocus maxLength={200} aria-invalid={errorOf('title') ? true : undefined} aria-describedby={describedBy} {...register('title')} />
          )}
        </Field>
        <fieldset className="pm-by">
          <legend>{t('pm.fields.by')}</legend>
          <label>
            <input type="radio" value="days" {...register('by')} /> {t('pm.fields.byDays')}
          </label>
          <label>
            <input type="radio" value="meter" {...register('by')} /> {t('pm.fields.byMeter')}
          </label>
        </fieldset>
        <div className="field-row">
          <Field label={by === 'days' ? t('pm.fields.everyDays') : t('pm.fields.everyMeter')} error={errorOf(by === 'days' ? 'everyDays' : 'everyMeter')}>
            {({ id, describedBy }) => <input id={id} inputMode="decimal" autoComplete="off" aria-describedby={describedBy} {...register('every')} />}
          </Field>
          {by === 'days' ? (
            <Field label={t('pm.fields.nextDueOn')} error={errorOf('nextDueOn')} hint={t('pm.fields.nextHint')}>
              {({ id, describedBy }) => <input id={id} type="date" aria-describedby={describedBy} {...register('nextDueOn')} />}
            </Field>
          ) : (
            <Field label={t('pm.fields.nextDueMeter')} error={errorOf('nextDueMeter')} hint={t('pm.fields.meterNow', { meter: Number(meter ?? 0) })}>
              {({ id, describedBy }) => <input id={id} inputMode="decimal" autoComplete="off" aria-describedby={describedBy} {...register('nextDueMeter')} />}
            </Field>
          )}
        </div>
        <PriorityAndCategoryFields register={register} errorOf={errorOf} />
        <Field label={t('pm.fields.checklist')} error={errorOf('checklist')}>
          {({ id, describedBy }) => (
            <>
              <textarea id={id} rows={4} maxLength={4000} aria-describedby={describedBy} {...register('checklist')} />
              <DictateInto form={form} name="checklist" />
            </>
          )}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('pm.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
