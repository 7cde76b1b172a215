import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useLiveQuery } from '../../db/react.ts';
import { PRIORITIES, TASK_STATUSES, mayRun, type TaskStatus } from '@cimco/contract';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { paths, ROUTES } from '../../app/paths.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { machineLabel } from './EquipmentPicker.tsx';
import { PriorityBadge, StatusBadge } from './TaskBadges.tsx';
import { TaskCreateDialog } from './TaskCreateDialog.tsx';
import { FromTemplateButton } from '../templates/FromTemplateButton.tsx';
import { TaskDetailDialog } from './TaskDetailDialog.tsx';
import { useTaskReferences } from './reference-data.ts';
import { formatDate } from '../../ui/format.ts';
import { ACTIVE_STATUSES, TASKS_SQL, compareTasks, isOverdue, localToday, priorityKey, type TaskRow } from './task-model.ts';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { TasksExportButton } from './TasksExportButton.tsx';
import './tasks.css';

interface Filters {
  statuses: TaskStatus[];
  priorities: number[];
  mine: boolean;
  search: string;
}

const DEFAULT_FILTERS: Filters = { statuses: [...ACTIVE_STATUSES], priorities: [], mine: false, search: '' };


function matches(task: TaskRow, filters: Filters, userId: string, search: string): boolean {
  if (filters.statuses.length > 0 && !filters.statuses.includes(task.status)) return false;
  if (filters.priorities.length > 0 && !filters.priorities.includes(task.priority)) return false;
  if (filters.mine && task.assignee_id !== userId) return false;
  if (search && ![task.title, task.equipment_tag, task.equipment_name].some((text) => text?.toLowerCase().includes(search))) return false;
  return true;
}

function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/**
 * Work orders: filter by status (open, in progress and on hold by default), priority and "mine";
 * create one; open one to change its status, edit it, or complete it.
 */
export function TasksScreen({ session, taskId }: { session: LocalSession; taskId?: string }) {
  const navigate = useNavigate();
  const { search: query } = useLocation();
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useUrlFilters(DEFAULT_FILTERS, { numbers: ['priorities'] });
  const [creating, setCreating] = useState(false);
  const openTaskId = taskId ?? null;
  const [notice, setNotice] = useState('');

  const all = useLiveQuery<TaskRow>(TASKS_SQL, [])?.rows;
  const { machines, users } = useTaskReferences();
  const search = filters.search.trim().toLowerCase();
  const tasks = useMemo(
    () => all?.filter((task) => matches(task, filters, session.userId, search)).sort(compareTasks),
    [all, filters, session.userId, search],
  );
  const openTask = openTaskId ? all?.find((task) => task.id === openTaskId) : undefined;
  const today = localToday();
  const canWork = mayRun(session.role, 'task.create');

  return (
    <section className="screen tasks-screen" aria-labelledby="tasks-title">
      <div className="screen-header">
        <h2 id="tasks-title">{t('tasks.title')}</h2>
        {canWork && <FromTemplateButton onCreated={(id) => void navigate(paths.task(id) + query)} />}
        {canWork && (
          <button type="button" className="primary new-task" onClick={() => setCreating(true)}>
            {t('tasks.newTask')}
          </button>
        )}
      </div>

      <div className="filter-bar" role="search">
        <div className="filter-search">
          <label htmlFor="task-search">{t('tasks.search')}</label>
          <input
            id="task-search"
            type="search"
            value={filters.search}
            placeholder={t('tasks.searchPlaceholder')}
            onChange={(event) => {
              const search = event.target.value;
              setFilters((f) => ({ ...f, search }));
            }}
          />
        </div>
        <div className="filter-group" role="group" aria-labelledby="task-status-filter">
          <span id="task-status-filter" className="filter-label">
            {t('tasks.statusFilter')}
          </span>
          {TASK_STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              className="chip"
              aria-pressed={filters.statuses.includes(status)}
              data-filter-status={status}
              onClick={() => setFilters((f) => ({ ...f, statuses: toggle(f.statuses, status) }))}
            >
              {t(`tasks.status.${status}`)}
            </button>
          ))}
        </div>
        {/* Not labelled by its heading: "Priority" names the task form's field alone. */}
        <div className="filter-group" role="group">
          <span className="filter-label">
            {t('tasks.priorityFilter')}
          </span>
          {[...PRIORITIES].reverse().map((priority) => (
            <button
              key={priority}
              type="button"
              className={`chip chip-priority-${priorityKey(priority)}`}
              aria-pressed={filters.priorities.includes(priority)}
              data-filter-priority={priority}
              onClick={() => setFilters((f) => ({ ...f, priorities: toggle(f.priorities, priority) }))}
            >
              {t(`tasks.priorities.${priorityKey(priority)}`)}
            </button>
          ))}
        </div>
        <div className="filter-group">
          <button type="button" className="chip chip-mine" aria-pressed={filters.mine} onClick={() => setFilters((f) => ({ ...f, mine: !f.mine }))}>
            {t('tasks.mine')}
          </button>
        </div>
        <TasksExportButton tasks={tasks} />
      </div>

      <p className="list-summary" role="status" aria-live="polite">
        {tasks ? t('tasks.count', { count: tasks.length }) : t('common.loading')}
        {notice && ` · ${notice}`}
      </p>

      {tasks && tasks.length === 0 && <p className="empty">{t('tasks.empty')}</p>}
      <ul className="task-list" data-testid="task-list">
        {tasks?.map((task) => {
          const overdue = isOverdue(task, today);
          return (
            <li
              key={task.id}
              className={`task-row priority-row-${priorityKey(task.priority)} ${overdue ? 'is-overdue' : ''}`}
              data-testid="task-row"
              data-task-id={task.id}
              data-status={task.status}
              data-priority={task.priority}
              data-pending={task.pending ? 'true' : 'false'}
              data-overdue={overdue ? 'true' : 'false'}
            >
              <button type="button" className="task-row-button" onClick={() => void navigate(paths.task(task.id) + query)}>
                <span className="task-row-top">
                  <PriorityBadge priority={task.priority} />
                  <span className="task-row-title">{task.title}</span>
                  {task.pending && <PendingMarker />}
                </span>
                <span className="task-row-meta">
                  <StatusBadge status={task.status} />
                  <span className="task-row-machine">
                    {task.equipment_id ? machineLabel({ tag: task.equipment_tag, name: task.equipment_name }) : t('tasks.noEquipment')}
                  </span>
                  {task.due_date && (
                    <span className={`task-row-due ${overdue ? 'overdue' : ''}`}>
                      {overdue ? t('tasks.overdueSince', { date: formatDate(task.due_date, i18n.language) }) : t('tasks.due', { date: formatDate(task.due_date, i18n.language) })}
                    </span>
                  )}
                  <span className="task-row-assignee">{task.assignee_name ?? t('tasks.unassigned')}</span>
                </span>
                {task.status === 'done' && task.resolution && <span className="task-row-resolution">{task.resolution}</span>}
              </button>
            </li>
          );
        })}
      </ul>

      {creating && (
        <TaskCreateDialog
          session={session}
          machines={machines}
          users={users}
          onClose={() => setCreating(false)}
          onCreated={(_id, title) => setNotice(t('tasks.created', { title }))}
        />
      )}
      {openTaskId && <TaskDetailDialog task={openTask} session={session} machines={machines} users={users} onClose={() => void navigate(ROUTES.tasks + query)} />}
    </section>
  );
}
