import type { LogKind } from '@cimco/contract';
import type { TFunction } from 'i18next';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { paths, ROUTES } from '../../app/paths.ts';
import { useLiveQuery } from '../../db/react.ts';
import { PM_SQL, pmParams, type PmRow } from '../pm/pm-query.ts';
import { usePmTexts } from '../pm/PmSection.tsx';
import { formatDateTime, formatMoney, formatNumber } from '../../ui/format.ts';
import {
  LOW_STOCK_SQL,
  MACHINES_DOWN_SQL,
  RECENT_ACTIVITY_SQL,
  SUMMARY_SQL,
  TASKS_BY_PRIORITY_SQL,
  todayOnTablet,
  type Activity,
  type DashboardSummary,
  type LowStockPart,
  type MachineDown,
  type TasksByPriority,
} from './dashboard-queries.ts';

type MovementReason = 'used' | 'received' | 'count' | 'adjust' | 'transfer';
import './dashboard.css';

/**
 * The morning check (supervisor's and admin's home): what is down, what is late, what runs out,
 * what is coming — numbers first, readable in ten seconds, each leading to its list. Everything is
 * computed from the tablet's own database, so it works with no signal and counts what was recorded
 * offline at once.
 */
export function DashboardScreen() {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const today = useToday();
  const summary = useLiveQuery<DashboardSummary>(SUMMARY_SQL, [today])?.rows[0];
  const byPriority = useLiveQuery<TasksByPriority>(TASKS_BY_PRIORITY_SQL, [today])?.rows;
  const down = useLiveQuery<MachineDown>(MACHINES_DOWN_SQL)?.rows;
  const lowStock = useLiveQuery<LowStockPart>(LOW_STOCK_SQL)?.rows;
  const activity = useLiveQuery<Activity>(RECENT_ACTIVITY_SQL)?.rows;
  const pmDue = useLiveQuery<PmRow>(PM_SQL, pmParams(today, null, true))?.rows;
  const pmTexts = usePmTexts();
  const number = (value: number) => formatNumber(value, i18n.language);

  if (!summary) return <p className="screen" aria-busy="true">{t('common.loading')}</p>;

  const tasksChart = (byPriority ?? []).map((row) => ({
    name: t(`dashboard.priority.${row.priority as 1 | 2 | 3 | 4}`),
    onTime: row.on_time,
    overdue: row.overdue,
  }));

  return (
    <section className="screen dashboard" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t('dashboard.title')}</h2>

      <ul className="dashboard-figures" aria-label={t('dashboard.figures')}>
        <Figure
          testId="machines-down"
          label={t('dashboard.machinesDown')}
          value={number(summary.machines_down)}
          detail={t('dashboard.inMaintenance', { count: summary.machines_maintenance })}
          alarm={summary.machines_down > 0}
          to={`${ROUTES.equipment}?status=down`}
        />
        <Figure
          testId="open-tasks"
          label={t('dashboard.openTasks')}
          value={number(summary.open_tasks)}
          detail={t('dashboard.overdueTasks', { count: summary.overdue_tasks })}
          alarm={summary.overdue_tasks > 0}
          to={ROUTES.tasks}
        />
        <Figure
          testId="low-stock"
          label={t('dashboard.lowStock')}
          value={number(summary.low_stock)}
          detail={t('dashboard.lowStockDetail')}
          alarm={summary.low_stock > 0}
          to={`${ROUTES.parts}?lowStockOnly=1`}
        />
        <Figure
          testId="inventory-value"
          label={t('dashboard.inventoryValue')}
          value={formatMoney(Number(summary.inventory_value), i18n.language, { minimumFractionDigits: 0, maximumFractionDigits: 0 })}
          detail={t('dashboard.inventoryValueDetail')}
          to={ROUTES.parts}
        />
        <Figure
          testId="pending-deliveries"
          label={t('dashboard.pendingDeliveries')}
          value={number(summary.pending_deliveries)}
          detail={t('dashboard.overdueDeliveries', { count: summary.overdue_deliveries })}
          alarm={summary.overdue_deliveries > 0}
          to={ROUTES.orders}
        />
      </ul>

      <div className="dashboard-panels">
        <section className="dashboard-panel" aria-labelledby={`${ids}-down`}>
          <h3 id={`${ids}-down`}>{t('dashboard.downNow')}</h3>
          {down?.length ? (
            <ul className="dashboard-list" data-testid="down-list">
              {down.map((machine) => (
                <li key={machine.id}>
                  <Link to={paths.machine(machine.tag)}>
                    <strong>{machine.tag}</strong> {machine.name}
                  </Link>
                  <span className="dashboard-muted">{t('dashboard.downFor', { duration: downFor(machine.status_changed_at, t) })}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="dashboard-muted">{t('dashboard.noneDown')}</p>
          )}
        </section>

        <section className="dashboard-panel" aria-labelledby={`${ids}-tasks`}>
          <h3 id={`${ids}-tasks`}>{t('dashboard.tasksByPriority')}</h3>
          <figure
            className="dashboard-chart"
            role="img"
            aria-label={tasksChart.map((row) => t('dashboard.chartRow', { name: row.name, onTime: row.onTime, overdue: row.overdue })).join('; ')}
          >
            <ResponsiveContainer width="100%" height={200}>
              <BarChart data={tasksChart} layout="vertical" margin={{ left: 8, right: 16 }}>
                <CartesianGrid horizontal={false} strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="name" width={90} />
                <Tooltip />
                <Legend />
                <Bar dataKey="onTime" name={t('dashboard.onTime')} stackId="tasks" fill="var(--accent)" isAnimationActive={false} />
                <Bar dataKey="overdue" name={t('dashboard.overdue')} stackId="tasks" fill="var(--danger)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </section>

        <section className="dashboard-panel" aria-labelledby={`${ids}-pm`}>
          <h3 id={`${ids}-pm`}>{t('pm.dashboardTitle')}</h3>
          {pmDue?.length ? (
            <ul className="dashboard-list" data-testid="pm-due-list">
              {pmDue.map((pm) => (
                <li key={pm.id} data-when={pm.due}>
                  <Link to={paths.machine(pm.tag)}>
                    <strong>{pm.tag}</strong> {pm.title}
                  </Link>
                  <span className="dashboard-muted">
                    {pmTexts.when(pm)} · {pmTexts.next(pm)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="dashboard-muted">{t('pm.noneDue')}</p>
          )}
        </section>

        <section className="dashboard-panel" aria-labelledby={`${ids}-low`}>
          <h3 id={`${ids}-low`}>{t('dashboard.runningOut')}</h3>
          {lowStock?.length ? (
            <ul className="dashboard-list" data-testid="low-stock-list">
              {lowStock.map((part) => (
                <li key={part.id}>
                  <Link to={paths.part(part.part_number)}>
                    <strong>{part.part_number}</strong> {part.name}
                  </Link>
                  <span className="dashboard-muted">
                    {t('dashboard.stockOfMin', { quantity: number(part.quantity), min: number(part.min_quantity ?? 0), unit: part.unit })}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="dashboard-muted">{t('dashboard.noneLow')}</p>
          )}
        </section>

        <section className="dashboard-panel" aria-labelledby={`${ids}-activity`}>
          <h3 id={`${ids}-activity`}>{t('dashboard.recentActivity')}</h3>
          {activity?.length ? (
            <ul className="dashboard-list" data-testid="activity-list">
              {activity.map((item, index) => (
                <li key={`${item.kind}-${item.at}-${index}`}>
                  <span>
                    <ActivityText item={item} />
                  </span>
                  <span className="dashboard-muted">
                    {formatDateTime(item.at, i18n.language)}
                    {item.who ? ` · ${item.who}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="dashboard-muted">{t('dashboard.noActivity')}</p>
          )}
        </section>
      </div>
    </section>
  );
}

function Figure({ testId, label, value, detail, alarm = false, to }: { testId: string; label: string; value: string; detail: string; alarm?: boolean; to: string }) {
  return (
    <li className={`dashboard-figure${alarm ? ' dashboard-alarm' : ''}`} data-testid={testId}>
      <Link to={to}>
        <span className="dashboard-figure-label">{label}</span>
        <span className="dashboard-figure-value" data-testid={`${testId}-value`}>
          {value}
        </span>
        <span className="dashboard-figure-detail">{detail}</span>
      </Link>
    </li>
  );
}

/** One line of recent activity in words: "Inspection logged on Shredder", "Used: Hammer (−2)". */
function ActivityText({ item }: { item: Activity }) {
  const { t, i18n } = useTranslation();
  switch (item.kind) {
    case 'log':
      return t('dashboard.activity.log', { kind: t(`log.kinds.${item.what as LogKind}`), machine: item.subject ?? '' });
    case 'movement': {
      const delta = item.delta ?? 0;
      return t('dashboard.activity.movement', {
        reason: t(`parts.reason.${item.what as MovementReason}`),
        part: item.subject ?? '',
        delta: `${delta > 0 ? '+' : ''}${formatNumber(delta, i18n.language)}`,
      });
    }
    case 'task_done':
      return t('dashboard.activity.taskDone', { title: item.what });
  }
}

/** "3 h 20 min", "2 d 4 h": how long since a machine went down. */
function downFor(since: string, t: TFunction, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t('dashboard.daysHours', { days, hours });
  if (hours > 0) return t('dashboard.hoursMinutes', { hours, minutes: minutes % 60 });
  return t('dashboard.minutes', { minutes });
}

/** Today's date, turning over at midnight while the screen stays open. */
function useToday(): string {
  const [today, setToday] = useState(todayOnTablet);
  useEffect(() => {
    const timer = window.setInterval(() => setToday(todayOnTablet()), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  return today;
}
