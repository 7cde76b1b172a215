import { mayRun } from '@cimco/contract';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { paths, ROUTES } from '../../app/paths.ts';
import { useLiveQuery } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { formatDateTime, formatHours, formatNumber } from '../../ui/format.ts';
import { lastSearchOf } from '../../ui/use-url-filters.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { LogEntryDialog } from '../log/LogEntryDialog.tsx';
import { machineLabel } from '../tasks/EquipmentPicker.tsx';
import { useTaskReferences } from '../tasks/reference-data.ts';
import { PriorityBadge, StatusBadge as TaskStatusBadge } from '../tasks/TaskBadges.tsx';
import { TaskCreateDialog } from '../tasks/TaskCreateDialog.tsx';
import { FromTemplateButton } from '../templates/FromTemplateButton.tsx';
import { PmSection } from '../pm/PmSection.tsx';
import { priorityKey } from '../tasks/task-model.ts';
import { StatusBadge } from './EquipmentBadges.tsx';
import { EQUIPMENT_LIST_SQL, type EquipmentRow } from './equipment-model.ts';
import { MachineFormDialog, RetireDialog } from './MachineForm.tsx';
import {
  MACHINE_LOGS_SQL,
  MACHINE_PARTS_SQL,
  MACHINE_STATUS_SQL,
  MACHINE_TASK_HISTORY_SQL,
  timelineOf,
  type MachineLog,
  type MachinePartUse,
  type MachineStatusChange,
  type MachineTaskEntry,
  type TimelineEntry,
} from './machine-queries.ts';
import { daysBefore, machineStats, RELIABILITY_WINDOW_DAYS, startOfMonth, startOfWeek, statusPeriods } from './machine-stats.ts';
import { StatusButtons } from './StatusButtons.tsx';
import { UsePartDialog } from './UsePartDialog.tsx';
import '../tasks/tasks.css';
import './equipment.css';

// A live query needs parameters before the machine is known: an id no row has.
const NO_MACHINE = '00000000-0000-0000-0000-000000000000';
const HOUR = 3_600_000;

type Open =
  | { what: 'log'; taskId?: string }
  | { what: 'part'; taskId?: string }
  | { what: 'task' }
  | { what: 'edit' }
  | { what: 'retire' }
  | null;

/**
 * A machine's page (`/equipment/<tag>`, the URL on its QR plate): what it is and its status with
 * the one-tap buttons; downtime this week and month, MTBF and MTTR from its status history; its
 * parent and components; and one timeline, newest first, of everything done on it — log entries,
 * tasks (with problem, cause and fix), parts used, status changes with who and when. From here:
 * add a log entry, use a part, make a task, and (supervisors, admins) edit or retire it.
 */
export function MachinePage({ session, tag }: { session: LocalSession; tag: string }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const all = useLiveQuery<EquipmentRow>(EQUIPMENT_LIST_SQL, [])?.rows;
  const { machines, users } = useTaskReferences();
  const machine = all?.find((row) => row.tag === tag) ?? all?.find((row) => row.tag.toUpperCase() === tag.toUpperCase());
  const id = machine?.id ?? NO_MACHINE;
  const logs = useLiveQuery<MachineLog>(MACHINE_LOGS_SQL, [id])?.rows;
  const tasks = useLiveQuery<MachineTaskEntry>(MACHINE_TASK_HISTORY_SQL, [id])?.rows;
  const parts = useLiveQuery<MachinePartUse>(MACHINE_PARTS_SQL, [id])?.rows;
  const changes = useLiveQuery<MachineStatusChange>(MACHINE_STATUS_SQL, [id])?.rows;
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState('');
  const [open, setOpen] = useState<Open>(null);

  const timeline = useMemo(() => timelineOf(logs ?? [], tasks ?? [], parts ?? [], changes ?? []), [logs, tasks, parts, changes]);
  const takenTags = useMemo(() => new Map((all ?? []).map((row) => [row.tag.toUpperCase(), row.id])), [all]);
  const parent = machine?.parent_id ? all?.find((row) => row.id === machine.parent_id) : undefined;
  const children = useMemo(
    () => (machine ? (all ?? []).filter((row) => row.parent_id === machine.id).sort((a, b) => a.tag.localeCompare(b.tag, undefined, { numeric: true })) : []),
    [all, machine],
  );

  const backLink = { pathname: ROUTES.equipment, search: lastSearchOf(ROUTES.equipment) };
  if (!all) return <p className="muted">{t('common.loading')}</p>;
  if (!machine) {
    return (
      <section className="screen equipment-screen machine-page" aria-label={t('machine.label')} data-testid="machine-page">
        <Link to={backLink}>← {t('machine.backToList')}</Link>
        <p className="cy-empty">{t('machine.notFound', { tag })}</p>
      </section>
    );
  }

  const label = machineLabel(machine);
  const unit = t(`equipment.meterUnits.${machine.meter_unit ?? 'hours'}`, { defaultValue: machine.meter_unit ?? '' });
  const meter = machine.meter != null ? `${formatNumber(Number(machine.meter), i18n.language)} ${unit}` : null;
  const inService = machine.status !== 'retired';
  const canWork = mayRun(session.role, 'log.add') && inService;
  const canUse = mayRun(session.role, 'stock.adjust') && inService;
  const facts: [string, string | null][] = [
    [t('equipment.fields.type'), t(`equipment.types.${machine.type}`, { defaultValue: machine.type })],
    [t('equipment.fields.area'), machine.area],
    [t('equipment.fields.make'), machine.make],
    [t('equipment.fields.model'), machine.model],
    [t('equipment.fields.serial'), machine.serial],
    [t('equipment.fields.criticality'), machine.criticality ? t(`tasks.priorities.${priorityKey(machine.criticality)}`) : null],
    [t('equipment.fields.meter'), meter],
  ];

  return (
    <section
      className="screen equipment-screen machine-page"
      aria-label={t('machine.label')}
      data-testid="machine-page"
      data-tag={machine.tag}
      data-status={machine.status}
      data-equipment-id={machine.id}
      data-meter={machine.meter ?? ''}
    >
      <Link className="machine-back" to={backLink}>
        ← {t('machine.backToList')}
      </Link>
      <header className="machine-header">
        <h2>
          <span className="equipment-tag">{machine.tag}</span> {machine.name}
        </h2>
        <p className="equipment-status-line">
          <StatusBadge status={machine.status} />
          {machine.pending && <PendingMarker />}
          {machine.status_changed_at && <span className="muted">{t('equipment.since', { date: formatDateTime(machine.status_changed_at, i18n.language) })}</span>}
          {machine.area && <span>{machine.area}</span>}
          {meter && <span data-testid="machine-meter">{meter}</span>}
        </p>
      </header>

      <section className="equipment-status-panel">
        {inService && (
          <div className="field">
            <label htmlFor="machine-status-note">{t('equipment.note')}</label>
            <input id="machine-status-note" value={note} maxLength={1000} placeholder={t('equipment.notePlaceholder')} onChange={(event) => setNote(event.target.value)} />
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

      <div className="form-actions machine-actions">
        {canWork && (
          <button type="button" className="primary" onClick={() => setOpen({ what: 'log' })}>
            {t('machine.actions.logWork')}
          </button>
        )}
        {canUse && (
          <button type="button" className="secondary" onClick={() => setOpen({ what: 'part' })}>
            {t('machine.actions.usePart')}
          </button>
        )}
        {mayRun(session.role, 'task.create') && inService && (
          <button type="button" className="secondary" onClick={() => setOpen({ what: 'task' })}>
            {t('tasks.newTask')}
          </button>
        )}
        {mayRun(session.role, 'task.create') && inService && (
          <FromTemplateButton equipmentId={machine.id} onCreated={(id) => void navigate(paths.task(id))} />
        )}
        {mayRun(session.role, 'equipment.update') && inService && (
          <button type="button" className="secondary" onClick={() => setOpen({ what: 'edit' })}>
            {t('machine.actions.edit')}
          </button>
        )}
        {mayRun(session.role, 'equipment.retire') && inService && (
          <button type="button" className="danger" onClick={() => setOpen({ what: 'retire' })}>
            {t('machine.actions.retire')}
          </button>
        )}
      </div>

      <div className="machine-columns">
        <section aria-labelledby="machine-facts">
          <h3 id="machine-facts">{t('machine.facts')}</h3>
          <dl className="equipment-facts">
            {facts
              .filter(([, value]) => !!value)
              .map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
          </dl>
          {machine.notes && <p className="equipment-notes">{machine.notes}</p>}
          {parent && (
            <p className="equipment-parent-link">
              {t('machine.parent')} <Link to={paths.machine(parent.tag)}>{machineLabel(parent)}</Link>
            </p>
          )}
          <h3>{t('machine.components')}</h3>
          {children.length === 0 ? (
            <p className="muted">{t('machine.noComponents')}</p>
          ) : (
            <ul className="machine-components">
              {children.map((child) => (
                <li key={child.id} data-testid="equipment-child" data-tag={child.tag} data-status={child.status}>
                  <Link to={paths.machine(child.tag)}>{machineLabel(child)}</Link> <StatusBadge status={child.status} />
                  {child.pending && <PendingMarker />}
                </li>
              ))}
            </ul>
          )}
        </section>
        <MachineStatsPanel machine={machine} changes={changes ?? []} />
      </div>

      <PmSection session={session} machine={machine} />

      <section aria-labelledby="machine-timeline">
        <h3 id="machine-timeline">{t('machine.timeline')}</h3>
        {timeline.length === 0 && <p className="muted">{t('machine.timelineEmpty')}</p>}
        <ol className="stack-list machine-timeline" data-testid="machine-timeline">
          {timeline.map((entry) => (
            <TimelineItem
              key={`${entry.kind}:${entry.id}`}
              entry={entry}
              onLog={canWork ? (taskId) => setOpen({ what: 'log', taskId }) : undefined}
              onUsePart={canUse ? (taskId) => setOpen({ what: 'part', taskId }) : undefined}
            />
          ))}
        </ol>
      </section>

      {open?.what === 'log' && (
        <LogEntryDialog
          machine={{ id: machine.id, label }}
          taskId={open.taskId ?? null}
          meter={meter}
          onClose={() => setOpen(null)}
          onRecorded={() => setNotice(t('log.saved'))}
        />
      )}
      {open?.what === 'part' && <UsePartDialog machine={{ id: machine.id, label }} taskId={open.taskId ?? null} onClose={() => setOpen(null)} />}
      {open?.what === 'task' && (
        <TaskCreateDialog session={session} machines={machines} users={users} machine={{ id: machine.id, label }} onClose={() => setOpen(null)} />
      )}
      {open?.what === 'edit' && (
        <MachineFormDialog
          machine={machine}
          parentLabel={parent ? machineLabel(parent) : ''}
          machines={machines}
          takenTags={takenTags}
          onClose={() => setOpen(null)}
          onSaved={(newTag) => {
            if (newTag !== machine.tag) void navigate(paths.machine(newTag), { replace: true });
          }}
        />
      )}
      {open?.what === 'retire' && <RetireDialog machine={machine} onClose={() => setOpen(null)} />}
    </section>
  );
}

/** Downtime this week and this month, and MTBF / MTTR over the last 90 days (machine-stats.ts). */
function MachineStatsPanel({ machine, changes }: { machine: EquipmentRow; changes: readonly MachineStatusChange[] }) {
  const { t, i18n } = useTranslation();
  // Computed for the moment the page was rendered (a live row arriving renders it again).
  const now = new Date();
  const periods = statusPeriods(changes, now, { status: machine.status, since: machine.status_changed_at });
  const week = machineStats(periods, startOfWeek(now), now);
  const month = machineStats(periods, startOfMonth(now), now);
  const reliability = machineStats(periods, daysBefore(now, RELIABILITY_WINDOW_DAYS), now);
  // Hours up to two days, then days: "62,3 h", "87,4 d".
  const hours = (ms: number) =>
    ms < 48 * HOUR ? formatHours(ms / HOUR, i18n.language) : t('machine.stats.days', { days: formatNumber(ms / (24 * HOUR), i18n.language, { maximumFractionDigits: 1 }) });
  const stats: [key: string, label: string, value: string, hint?: string][] = [
    ['downtime-week', t('machine.stats.downtimeWeek'), hours(week.downtimeMs)],
    ['downtime-month', t('machine.stats.downtimeMonth'), hours(month.downtimeMs)],
    ['mtbf', t('machine.stats.mtbf'), reliability.mtbfMs === null ? t('machine.stats.none') : hours(reliability.mtbfMs), t('machine.stats.mtbfHint')],
    ['mttr', t('machine.stats.mttr'), reliability.mttrMs === null ? t('machine.stats.noRepair') : hours(reliability.mttrMs), t('machine.stats.mttrHint')],
  ];
  return (
    <section aria-labelledby="machine-stats" data-testid="machine-stats">
      <h3 id="machine-stats">{t('machine.stats.title')}</h3>
      <dl className="equipment-facts machine-stats">
        {stats.map(([key, name, value, hint]) => (
          <div key={key} data-stat={key} title={hint}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">{t('machine.stats.failures', { count: reliability.failures })}</p>
    </section>
  );
}

function TimelineItem({
  entry,
  onLog,
  onUsePart,
}: {
  entry: TimelineEntry;
  onLog?: (taskId?: string) => void;
  onUsePart?: (taskId?: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const when = formatDateTime(entry.at, i18n.language);
  const by = (name: string | null) => (name ? ` · ${t('machine.entry.by', { name })}` : '');
  const common = { 'data-testid': 'timeline-entry', 'data-kind': entry.kind, 'data-id': entry.id, className: `timeline-entry timeline-${entry.kind}` };

  switch (entry.kind) {
    case 'status': {
      const { change } = entry;
      const to = t(`equipment.status.${change.status}`);
      return (
        <li {...common} data-status={change.status}>
          <p className="timeline-title">
            {change.previous_status ? t('machine.entry.status', { from: t(`equipment.status.${change.previous_status}`), to }) : t('machine.entry.created', { status: to })}
            {change.pending && <PendingMarker />}
          </p>
          {change.note && <p>{change.note}</p>}
          <p className="muted timeline-meta">
            {when}
            {by(change.changed_by_name)}
          </p>
        </li>
      );
    }
    case 'log': {
      const { log } = entry;
      const details = [
        log.hours_spent != null ? t('log.hours', { hours: formatHours(Number(log.hours_spent), i18n.language) }) : null,
        log.meter_reading != null ? t('log.meter', { reading: formatNumber(Number(log.meter_reading), i18n.language) }) : null,
        log.loto_confirmed ? t('log.lotoDone') : null,
        log.task_title ? t('log.forTask', { title: log.task_title }) : null,
      ].filter(Boolean);
      return (
        <li {...common} data-log-kind={log.kind}>
          <p className="timeline-title">
            <span className="badge log-kind">{t(`log.kinds.${log.kind}`)}</span> {log.pending && <PendingMarker />}
          </p>
          {log.body && <p className="timeline-body">{log.body}</p>}
          {details.length > 0 && <p>{details.join(' · ')}</p>}
          <p className="muted timeline-meta">
            {when}
            {by(log.author_name)}
          </p>
        </li>
      );
    }
    case 'task': {
      const { task } = entry;
      const done = task.status === 'done';
      const open = task.status === 'open' || task.status === 'in_progress' || task.status === 'on_hold';
      return (
        <li {...common} data-task-status={task.status}>
          <p className="timeline-title">
            <PriorityBadge priority={task.priority} /> <TaskStatusBadge status={task.status} />{' '}
            <Link to={paths.task(task.id)}>{done ? t('machine.entry.taskDone', { title: task.title }) : t('machine.entry.task', { title: task.title })}</Link>
            {task.pending && <PendingMarker />}
          </p>
          {done && (
            <dl className="timeline-resolution">
              {task.problem && (
                <div>
                  <dt>{t('machine.entry.problem')}</dt>
                  <dd>{task.problem}</dd>
                </div>
              )}
              {task.cause && (
                <div>
                  <dt>{t('machine.entry.cause')}</dt>
                  <dd>{task.cause}</dd>
                </div>
              )}
              {(task.fix ?? task.resolution) && (
                <div>
                  <dt>{t('machine.entry.fix')}</dt>
                  <dd>{task.fix ?? task.resolution}</dd>
                </div>
              )}
            </dl>
          )}
          <p className="muted timeline-meta">
            {when}
            {by(done ? task.completed_by_name : task.assignee_name)}
          </p>
          {open && (onLog || onUsePart) && (
            <div className="form-actions">
              {onLog && (
                <button type="button" className="secondary" onClick={() => onLog(task.id)}>
                  {t('machine.actions.logWork')}
                </button>
              )}
              {onUsePart && (
                <button type="button" className="secondary" onClick={() => onUsePart(task.id)}>
                  {t('machine.actions.usePart')}
                </button>
              )}
            </div>
          )}
        </li>
      );
    }
    case 'part': {
      const { movement } = entry;
      const part = [movement.part_number, movement.part_name].filter(Boolean).join(' — ');
      const quantity = formatNumber(Math.abs(movement.delta), i18n.language);
      return (
        <li {...common} data-part-number={movement.part_number ?? ''}>
          <p className="timeline-title">
            {movement.delta <= 0 ? t('machine.entry.partUsed', { quantity, part }) : t('machine.entry.partReturned', { quantity, part })}
            {movement.pending && <PendingMarker />}
          </p>
          {(movement.note || movement.task_title) && (
            <p>{[movement.task_title ? t('log.forTask', { title: movement.task_title }) : null, movement.note].filter(Boolean).join(' · ')}</p>
          )}
          <p className="muted timeline-meta">
            {when}
            {by(movement.author_name)}
          </p>
        </li>
      );
    }
  }
}
