import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { TASK_TRANSITIONS, mayRun, type TaskCategory, type TaskStatus } from '@cimco/contract';
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog, useFocusInside } from '../../ui/Dialog.tsx';
import { EquipmentPicker, machineLabel } from './EquipmentPicker.tsx';
import { DictateInto } from '../../ui/DictationButton.tsx';
import { Field, FormActions, FormError } from '../../ui/fields.tsx';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { PriorityAndCategoryFields } from './task-options.tsx';
import type { AssignableUser, MachineOption } from './reference-data.ts';
import {
  isOverdue,
  type TaskRow,
} from './task-model.ts';
import { PriorityBadge, StatusBadge } from './TaskBadges.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { Link } from 'react-router';
import { paths } from '../../app/paths.ts';
import { LogEntryDialog } from '../log/LogEntryDialog.tsx';
import { UsePartDialog } from '../equipment/UsePartDialog.tsx';

type Mode = 'view' | 'edit' | 'complete' | 'cancel';

/** Ctrl+Enter (or ⌘+Enter) in a text area submits its form; plain Enter makes a new line. */
function submitOnCtrlEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    event.currentTarget.form?.requestSubmit();
  }
}

/**
 * One task: its details, the status changes the state machine allows from where it is, editing
 * its fields (task.update with the values the edit started from), assigning (supervisors), and
 * completing with problem, cause, fix and lock-out/tag-out.
 */
export function TaskDetailDialog({
  task,
  session,
  machines,
  users,
  onClose,
}: {
  /** The task as the list has it (live); undefined while it loads or if it is gone. */
  task: TaskRow | undefined;
  session: LocalSession;
  machines: readonly MachineOption[];
  users: readonly AssignableUser[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>('view');

  return (
    <Dialog
      label={t('tasks.detailLabel')}
      heading={task ? task.title : t('common.loading')}
      onClose={onClose}
      className="task-dialog"
      testId="task-detail"
    >
      {!task ? (
        <p>{t('common.loading')}</p>
      ) : mode === 'edit' ? (
        <EditTaskForm task={task} machines={machines} onDone={() => setMode('view')} />
      ) : mode === 'complete' ? (
        <CompleteTaskForm task={task} onDone={() => setMode('view')} />
      ) : mode === 'cancel' ? (
        <CancelTaskForm task={task} onDone={() => setMode('view')} />
      ) : (
        <TaskView task={task} session={session} users={users} onMode={setMode} />
      )}
    </Dialog>
  );
}

/** The button for moving a task to each status: always the same name for the same target. */
const STATUS_ACTIONS: { to: TaskStatus; key: 'start' | 'hold' | 'reopen' | 'complete' | 'cancel' }[] = [
  { to: 'in_progress', key: 'start' },
  { to: 'done', key: 'complete' },
  { to: 'on_hold', key: 'hold' },
  { to: 'open', key: 'reopen' },
  { to: 'cancelled', key: 'cancel' },
];

function TaskView({ task, session, users, onMode }: { task: TaskRow; session: LocalSession; users: readonly AssignableUser[]; onMode: (mode: Mode) => void }) {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const canWork = mayRun(session.role, 'task.create');
  const overdue = isOverdue(task);
  // Work on the task's machine, recorded with the task: a log entry, a part used.
  const [working, setWorking] = useState<'log' | 'part' | null>(null);
  const machine = task.equipment_id ? { id: task.equipment_id, label: machineLabel({ tag: task.equipment_tag, name: task.equipment_name }) } : null;
  const open = task.status === 'open' || task.status === 'in_progress' || task.status === 'on_hold';
  // Back from a form: focus returns to the task's actions.
  const ref = useRef<HTMLDivElement>(null);
  useFocusInside(ref);

  async function setStatus(status: Exclude<TaskStatus, 'done'>) {
    setBusy(true);
    setError(undefined);
    try {
      await db.record('task.setStatus', { id: task.id, status });
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    } finally {
      setBusy(false);
    }
  }

  const allowed = TASK_TRANSITIONS[task.status];
  return (
    <div ref={ref} className="task-view" data-status={task.status} data-task-id={task.id}>
      <div className="task-badges">
        <PriorityBadge priority={task.priority} />
        <StatusBadge status={task.status} />
        {task.pending && <PendingMarker />}
      </div>
      <dl className="task-facts">
        <div>
          <dt>{t('tasks.fields.equipment')}</dt>
          <dd>{machine && task.equipment_tag ? <Link to={paths.machine(task.equipment_tag)}>{machine.label}</Link> : t('tasks.noEquipment')}</dd>
        </div>
        <div>
          <dt>{t('tasks.fields.category')}</dt>
          <dd>{t(`tasks.categories.${task.category}`, { defaultValue: task.category })}</dd>
        </div>
        <div>
          <dt>{t('tasks.fields.dueDate')}</dt>
          <dd className={overdue ? 'overdue' : undefined}>
            {task.due_date ? formatDate(task.due_date, i18n.language) : t('tasks.noDueDate')}
            {overdue && ` · ${t('tasks.overdue')}`}
          </dd>
        </div>
        <div>
          <dt>{t('tasks.fields.assignee')}</dt>
          <dd>{task.assignee_name ?? t('tasks.unassigned')}</dd>
        </div>
      </dl>
      {task.description && <p className="task-description">{task.description}</p>}

      {task.status === 'done' && (
        <section className="task-resolution" aria-label={t('tasks.resolution')}>
          <h3>{t('tasks.resolution')}</h3>
          {task.knowledge_problem && (
            <p>
              <strong>{t('tasks.complete.problem')}:</strong> {task.knowledge_problem}
            </p>
          )}
          {task.knowledge_cause && (
            <p>
              <strong>{t('tasks.complete.cause')}:</strong> {task.knowledge_cause}
            </p>
          )}
          <p>
            <strong>{t('tasks.complete.fix')}:</strong> {task.resolution ?? '—'}
          </p>
          <p className="muted">
            {task.completed_at && t('tasks.completedAt', { date: formatDateTime(task.completed_at, i18n.language) })}
            {task.completed_by_name && ` · ${task.completed_by_name}`}
            {task.loto_confirmed && ` · ${t('tasks.lotoDone')}`}
          </p>
        </section>
      )}
      {task.status === 'cancelled' && (
        <section className="task-resolution">
          <h3>{t('tasks.cancelledTitle')}</h3>
          <p>{task.cancelled_reason || t('tasks.noReason')}</p>
        </section>
      )}

      <FormError message={error} />
      {canWork ? (
        <div className="task-actions">
          {STATUS_ACTIONS.filter((action) => allowed.includes(action.to)).map((action) => (
            <button
              key={action.key}
              type="button"
              className={action.key === 'cancel' ? 'danger' : action.key === 'complete' ? 'primary' : 'secondary'}
              disabled={busy}
              onClick={() => {
                if (action.to === 'done') onMode('complete');
                else if (action.to === 'cancelled') onMode('cancel');
                else void setStatus(action.to);
              }}
            >
              {t(`tasks.actions.${action.key}`)}
            </button>
          ))}
          <button type="button" className="secondary" onClick={() => onMode('edit')}>
            {t('tasks.actions.edit')}
          </button>
        </div>
      ) : (
        <p className="muted">{t('tasks.readOnly')}</p>
      )}
      {machine && open && (mayRun(session.role, 'log.add') || mayRun(session.role, 'stock.adjust')) && (
        <div className="task-actions">
          {mayRun(session.role, 'log.add') && (
            <button type="button" className="secondary" onClick={() => setWorking('log')}>
              {t('machine.actions.logWork')}
            </button>
          )}
          {mayRun(session.role, 'stock.adjust') && (
            <button type="button" className="secondary" onClick={() => setWorking('part')}>
              {t('machine.actions.usePart')}
            </button>
          )}
        </div>
      )}
      {mayRun(session.role, 'task.assign') && <AssignForm task={task} users={users} />}
      {machine && working === 'log' && <LogEntryDialog machine={machine} taskId={task.id} onClose={() => setWorking(null)} />}
      {machine && working === 'part' && <UsePartDialog machine={machine} taskId={task.id} onClose={() => setWorking(null)} />}
    </div>
  );
}

function AssignForm({ task, users }: { task: TaskRow; users: readonly AssignableUser[] }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const [assigneeId, setAssigneeId] = useState(task.assignee_id ?? '');
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await db.record('task.assign', { id: task.id, assigneeId: assigneeId || null });
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  }

  return (
    <form className="assign-form" onSubmit={(event) => void submit(event)}>
      <Field label={t('tasks.fields.assignee')}>
        {({ id }) => (
          <select id={id} value={assigneeId} onChange={(event) => setAssigneeId(event.target.value)}>
            <option value="">{t('tasks.unassigned')}</option>
            {users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.display_name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="secondary" disabled={assigneeId === (task.assignee_id ?? '')}>
        {t('tasks.actions.assign')}
      </button>
      <FormError message={error} />
    </form>
  );
}

/** The task's editable fields as the contract names them. */
interface TaskFields {
  title: string;
  description: string | null;
  priority: number;
  category: TaskCategory;
  dueDate: string | null;
  equipmentId: string | null;
}

function fieldsOf(task: TaskRow): TaskFields {
  return {
    title: task.title,
    description: task.description,
    priority: task.priority,
    category: task.category,
    dueDate: task.due_date,
    equipmentId: task.equipment_id,
  };
}

/**
 * Edits send only the fields changed, each with the value it had when the edit began (`base`), so
 * the server can merge this with someone else's edit of other fields. Checked by task.update's
 * schema from the contract.
 */
function EditTaskForm({ task, machines, onDone }: { task: TaskRow; machines: readonly MachineOption[]; onDone: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLFormElement>(null);
  useFocusInside(ref);
  // The values the edit starts from: kept as they were when the form opened.
  const [base] = useState(() => fieldsOf(task));
  const [baseLabel] = useState(() => (task.equipment_id ? machineLabel({ tag: task.equipment_tag, name: task.equipment_name }) : ''));
  const changedFields = (values: EditValues) => {
    const now = normalise(values);
    return (Object.keys(now) as (keyof TaskFields)[]).filter((field) => now[field] !== base[field]);
  };
  const { form, submit, formError, busy, errorOf } = useContractForm<'task.update', EditValues>({
    command: 'task.update',
    defaultValues: { ...base, description: base.description ?? '', dueDate: base.dueDate ?? '', priority: String(base.priority) },
    toArgs: (values) => {
      const now = normalise(values);
      const changed = changedFields(values);
      return {
        id: task.id,
        changes: Object.fromEntries(changed.map((field) => [field, now[field]])),
        base: Object.fromEntries(changed.map((field) => [field, base[field]])),
      };
    },
    skip: (values) => changedFields(values).length === 0,
    onRecorded: onDone,
  });
  const { register } = form;
  const equipmentId = form.watch('equipmentId');

  return (
    <form ref={ref} className="task-form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('tasks.editTitle')}>
      <h3>{t('tasks.editTitle')}</h3>
      <Field label={t('tasks.fields.title')} error={errorOf('title')}>
        {({ id, describedBy }) => (
          <input id={id} data-autofocus maxLength={200} aria-invalid={errorOf('title') ? true : undefined} aria-describedby={describedBy} {...register('title')} />
        )}
      </Field>
      <Field label={t('tasks.fields.description')} error={errorOf('description')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} rows={3} maxLength={4000} aria-describedby={describedBy} onKeyDown={submitOnCtrlEnter} {...register('description')} />
            <DictateInto form={form} name="description" />
          </>
        )}
      </Field>
      <PriorityAndCategoryFields register={register} errorOf={errorOf} />
      <div className="field-row">
        <Field label={t('tasks.fields.equipment')} error={errorOf('equipmentId')}>
          {({ id, errorId }) => (
            <EquipmentPicker
              id={id}
              machines={machines}
              value={equipmentId}
              selectedLabel={baseLabel}
              onChange={(machine) => form.setValue('equipmentId', machine?.id ?? null)}
              error={errorOf('equipmentId')}
              errorId={errorId}
            />
          )}
        </Field>
        <Field label={t('tasks.fields.dueDate')} error={errorOf('dueDate')}>
          {({ id, describedBy }) => <input id={id} type="date" aria-describedby={describedBy} {...register('dueDate')} />}
        </Field>
      </div>
      <FormError message={formError} />
      <FormActions submitLabel={t('tasks.save')} busy={busy} backLabel={t('tasks.back')} onBack={onDone} />
    </form>
  );
}

/** The edit form's fields as typed (dates and descriptions as text, the priority as its option). */
type EditValues = Omit<TaskFields, 'description' | 'dueDate' | 'priority'> & { description: string; dueDate: string; priority: string };

/** As the task stores them: trimmed, blanks as null. The schema checks what is left. */
function normalise(values: EditValues): TaskFields {
  return {
    title: values.title.trim(),
    description: values.description.trim() || null,
    priority: Number(values.priority),
    category: values.category,
    dueDate: values.dueDate || null,
    equipmentId: values.equipmentId,
  };
}

interface CompleteValues {
  knowledgeId: string;
  problem: string;
  cause: string;
  fix: string;
  lotoConfirmed: boolean;
}

/**
 * Completing asks what was wrong, why, and how it was fixed (that becomes a knowledge entry for
 * the next person), and lock-out/tag-out confirmation, which work on a machine requires. Checked by
 * task.complete's schema; the machine's LOTO rule is the server's, said here before recording.
 */
function CompleteTaskForm({ task, onDone }: { task: TaskRow; onDone: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLFormElement>(null);
  useFocusInside(ref);
  const needsLoto = !!task.equipment_id;
  const { form, submit, formError, busy, errorOf } = useContractForm<'task.complete', CompleteValues>({
    command: 'task.complete',
    // One knowledge id per form: a second submit after a refusal records the same entry.
    defaultValues: { knowledgeId: uuidv7(), problem: '', cause: '', fix: '', lotoConfirmed: false },
    toArgs: (values) => ({
      id: task.id,
      knowledgeId: values.knowledgeId,
      problem: values.problem,
      cause: values.cause.trim() || null,
      fix: values.fix,
      lotoConfirmed: values.lotoConfirmed,
    }),
    check: (args): Record<string, string> => (needsLoto && !args.lotoConfirmed ? { lotoConfirmed: t('tasks.errors.lotoRequired') } : {}),
    onRecorded: onDone,
  });
  const { register } = form;

  return (
    <form ref={ref} className="task-form complete-form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('tasks.complete.title')}>
      <h3>{t('tasks.complete.title')}</h3>
      <Field label={t('tasks.complete.problem')} error={errorOf('problem')}>
        {({ id, describedBy }) => (
          <>
            <textarea
              id={id}
              data-autofocus
              rows={2}
              maxLength={2000}
              aria-invalid={errorOf('problem') ? true : undefined}
              aria-describedby={describedBy}
              onKeyDown={submitOnCtrlEnter}
              {...register('problem')}
            />
            <DictateInto form={form} name="problem" />
          </>
        )}
      </Field>
      <Field label={t('tasks.complete.cause')} error={errorOf('cause')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} rows={2} maxLength={2000} aria-describedby={describedBy} onKeyDown={submitOnCtrlEnter} {...register('cause')} />
            <DictateInto form={form} name="cause" />
          </>
        )}
      </Field>
      <Field label={t('tasks.complete.fix')} error={errorOf('fix')}>
        {({ id, describedBy }) => (
          <>
            <textarea
              id={id}
              rows={3}
              maxLength={4000}
              aria-invalid={errorOf('fix') ? true : undefined}
              aria-describedby={describedBy}
              onKeyDown={submitOnCtrlEnter}
              {...register('fix')}
            />
            <DictateInto form={form} name="fix" />
          </>
        )}
      </Field>
      <LotoCheckbox
        checked={form.watch('lotoConfirmed')}
        onChange={(checked) => form.setValue('lotoConfirmed', checked)}
        error={errorOf('lotoConfirmed')}
        required={needsLoto}
      />
      <FormError message={formError} />
      <FormActions submitLabel={t('tasks.complete.submit')} busy={busy} backLabel={t('tasks.back')} onBack={onDone} />
    </form>
  );
}

function LotoCheckbox({ checked, onChange, error, required }: { checked: boolean; onChange: (checked: boolean) => void; error?: string; required: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className={`field checkbox-field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id} className="checkbox-label">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          onChange={(event) => onChange(event.target.checked)}
        />
        <span>{t('tasks.complete.loto')}</span>
      </label>
      <p id={`${id}-hint`} className="field-hint">
        {required ? t('tasks.complete.lotoHintMachine') : t('tasks.complete.lotoHint')}
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

function CancelTaskForm({ task, onDone }: { task: TaskRow; onDone: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLFormElement>(null);
  useFocusInside(ref);
  const { form, submit, formError, busy, errorOf } = useContractForm<'task.setStatus', { reason: string }>({
    command: 'task.setStatus',
    defaultValues: { reason: '' },
    toArgs: (values) => ({ id: task.id, status: 'cancelled', reason: values.reason.trim() || null }),
    onRecorded: onDone,
  });

  return (
    <form ref={ref} className="task-form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('tasks.cancelForm.title')}>
      <h3>{t('tasks.cancelForm.title')}</h3>
      <Field label={t('tasks.cancelForm.reason')} error={errorOf('reason')}>
        {({ id, describedBy }) => (
          <>
            <textarea id={id} data-autofocus rows={2} maxLength={1000} aria-describedby={describedBy} onKeyDown={submitOnCtrlEnter} {...form.register('reason')} />
            <DictateInto form={form} name="reason" />
          </>
        )}
      </Field>
      <FormError message={formError} />
      <FormActions submitLabel={t('tasks.cancelForm.confirm')} busy={busy} backLabel={t('tasks.back')} onBack={onDone} danger />
    </form>
  );
}

