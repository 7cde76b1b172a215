import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { mayRun } from '@cimco/contract';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { machineLabel } from '../tasks/EquipmentPicker.tsx';
import type { AssignableUser, MachineOption } from '../tasks/reference-data.ts';
import { PriorityBadge, StatusBadge as TaskStatusBadge } from '../tasks/TaskBadges.tsx';
import { TaskCreateDialog } from '../tasks/TaskCreateDialog.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { isOverdue, priorityKey } from '../tasks/task-model.ts';
import { StatusBadge } from './EquipmentBadges.tsx';
import type { EquipmentRow, MachineTask } from './equipment-model.ts';
import { StatusButtons } from './StatusButtons.tsx';

/**
 * A machine's page: what it is, its status with the three one-tap buttons (and an optional note),
 * its parent and components, and its open tasks — with "New task" for this machine.
 */
export function EquipmentDetailDialog({
  machine,
  all,
  tasks,
  machines,
  users,
  session,
  onClose,
  onOpen,
}: {
  /** The machine as the list has it (live); undefined while it loads. */
  machine: EquipmentRow | undefined;
  all: readonly EquipmentRow[];
  /** Its open tasks, most urgent first. */
  tasks: readonly MachineTask[];
  machines: readonly MachineOption[];
  users: readonly AssignableUser[];
  session: LocalSession;
  onClose: () => void;
  /** Show another machine (a parent or a component) in this dialog. */
  onOpen: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const noteId = useId();
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState('');
  const [creating, setCreating] = useState(false);
  const go = (id: string) => {
    setNote('');
    setNotice('');
    onOpen(id);
  };

  const parent = machine?.parent_id ? all.find((row) => row.id === machine.parent_id) : undefined;
  const children = useMemo(
    () => (machine ? all.filter((row) => row.parent_id === machine.id).sort((a, b) => a.tag.localeCompare(b.tag, undefined, { numeric: true })) : []),
    [all, machine],
  );

  const facts: [string, string | null | undefined][] = machine
    ? [
        [t('equipment.fields.type'), t(`equipment.types.${machine.type}`, { defaultValue: machine.type })],
        [t('equipment.fields.area'), machine.area],
        [t('equipment.fields.make'), machine.make],
        [t('equipment.fields.model'), machine.model],
        [t('equipment.fields.serial'), machine.serial],
        [t('equipment.fields.criticality'), machine.criticality ? t(`tasks.priorities.${priorityKey(machine.criticality)}`) : null],
        [
          t('equipment.fields.meter'),
          machine.meter
            ? `${Number(machine.meter).toLocaleString(i18n.language)} ${t(`equipment.meterUnits.${machine.meter_unit ?? 'hours'}`, { defaultValue: machine.meter_unit ?? '' })}`
            : null,
        ],
      ]
    : [];

  return (
    <Dialog
      label={t('equipment.detailLabel')}
      heading={machine ? machineLabel(machine) : t('common.loading')}
      onClose={onClose}
      className="equipment-dialog"
      testId="equipment-detail"
    >
      {!machine ? (
        <p>{t('common.loading')}</p>
      ) : (
        <div className="equipment-detail" data-tag={machine.tag} data-status={machine.status} data-equipment-id={machine.id}>
          <section className="equipment-status-panel">
            <p className="equipment-status-line">
              <StatusBadge status={machine.status} />
              {machine.pending && <PendingMarker />}
              {machine.status_changed_at && <span className="muted">{t('equipment.since', { date: formatDateTime(machine.status_changed_at, i18n.language) })}</span>}
            </p>
            {machine.status !== 'retired' && (
              <div className="field">
                <label htmlFor={noteId}>{t('equipment.note')}</label>
                <input id={noteId} value={note} maxLength={1000} placeholder={t('equipment.notePlaceholder')} onChange={(event) => setNote(event.target.value)} />
              </div>
            )}
            <StatusButtons
              machine={machine}
              note={note}
              onRecorded={(status) => {
                setNote('');
                setNotice(t('equipment.statusRecorded', { tag: machine.tag, status: t(`equipment.status.${status}`) }));
              }}
            />
            <p className="muted" role="status" aria-live="polite">
              {notice}
            </p>
          </section>

          <dl className="equipment-facts">
            {facts
              .filter(([, value]) => !!value)
              .map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
          </dl>
          {machine.notes && <p className="equipment-notes">{machine.notes}</p>}

          {parent && (
            <p className="equipment-parent-link">
              {t('equipment.partOfLabel')}{' '}
              <button type="button" className="link-button" onClick={() => go(parent.id)}>
                {machineLabel(parent)}
              </button>
            </p>
          )}

          {children.length > 0 && (
            <section className="equipment-children">
              <h3>{t('equipment.componentsTitle')}</h3>
              <ul>
                {children.map((child) => (
                  <li key={child.id} data-testid="equipment-child" data-tag={child.tag} data-status={child.status}>
                    <button type="button" className="link-button" onClick={() => go(child.id)}>
                      {machineLabel(child)}
                    </button>
                    <StatusBadge status={child.status} />
                    {child.pending && <PendingMarker />}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section className="equipment-tasks">
            <div className="section-header">
              <h3>{t('equipment.openTasksTitle')}</h3>
              {mayRun(session.role, 'task.create') && machine.status !== 'retired' && (
                <button type="button" className="secondary" onClick={() => setCreating(true)}>
                  {t('tasks.newTask')}
                </button>
              )}
            </div>
            {tasks.length === 0 && <p className="muted">{t('equipment.noOpenTasks')}</p>}
            <ul className="equipment-task-list">
              {tasks.map((task) => (
                <li key={task.id} data-testid="equipment-task" data-task-id={task.id} data-status={task.status}>
                  <span className="equipment-task-title">
                    <PriorityBadge priority={task.priority} /> {task.title}
                  </span>
                  <span className="equipment-task-meta">
                    <TaskStatusBadge status={task.status} />
                    {task.due_date && (
                      <span className={isOverdue(task) ? 'overdue' : undefined}>{t('tasks.due', { date: formatDate(task.due_date, i18n.language) })}</span>
                    )}
                    <span>{task.assignee_name ?? t('tasks.unassigned')}</span>
                    {task.pending && <PendingMarker />}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
      {creating && machine && (
        <TaskCreateDialog
          session={session}
          machines={machines}
          users={users}
          onClose={() => setCreating(false)}
          machine={{ id: machine.id, label: machineLabel(machine) }}
        />
      )}
    </Dialog>
  );
}
