import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useLiveQuery } from '../../db/react.ts';
import { EQUIPMENT_STATUSES } from '@cimco/contract';
import { useMemo, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { mayRun } from '@cimco/contract';
import { paths } from '../../app/paths.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { StatusBadge } from './EquipmentBadges.tsx';
import { MachineFormDialog } from './MachineForm.tsx';
import type { MachineOption } from '../tasks/reference-data.ts';
import {
  EQUIPMENT_LIST_SQL,
  MACHINE_TASKS_SQL,
  shownMachines,
  statusCounts,
  tasksByMachine,
  type EquipmentFilters,
  type EquipmentRow,
  type MachineTask,
  type StatusFilter,
} from './equipment-model.ts';
import { StatusButtons } from './StatusButtons.tsx';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { EquipmentExportButton } from './EquipmentExportButton.tsx';
import '../tasks/tasks.css';
import './equipment.css';

const DEFAULT_FILTERS: EquipmentFilters = { search: '', status: '', area: '' };


/**
 * The yard's machines: search by tag or name, filter by status and area, components indented
 * under their parent, and the status set with one tap on each row. A row opens the machine's page
 * (`/equipment/<tag>`, MachinePage.tsx). Supervisors and admins add machines here.
 */
export function EquipmentScreen({ session }: { session: LocalSession }) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const [filters, setFilters] = useUrlFilters(DEFAULT_FILTERS);
  const [notice, setNotice] = useState('');
  const rows = useLiveQuery<EquipmentRow>(EQUIPMENT_LIST_SQL, [])?.rows;
  const tasks = useLiveQuery<MachineTask>(MACHINE_TASKS_SQL, [])?.rows;
  const openTasks = useMemo(() => tasksByMachine(tasks ?? []), [tasks]);
  // The task form's machine picker: every machine in service.
  const machines = useMemo<MachineOption[]>(
    () => (rows ?? []).filter((row) => row.status !== 'retired').map(({ id, tag, name, area }) => ({ id, tag, name, area })),
    [rows],
  );
  const takenTags = useMemo(() => new Map((rows ?? []).map((row) => [row.tag.toUpperCase(), row.id])), [rows]);

  const areas = useMemo(() => [...new Set((rows ?? []).map((row) => row.area).filter((area): area is string => !!area))].sort(), [rows]);
  const shown = useMemo(() => shownMachines(rows ?? [], filters), [rows, filters]);
  const counts = useMemo(() => statusCounts(rows ?? []), [rows]);

  return (
    <section className="screen equipment-screen" aria-labelledby="equipment-title">
      <div className="screen-header">
        <h2 id="equipment-title">{t('equipment.title')}</h2>
        {mayRun(session.role, 'equipment.create') && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('machine.actions.newMachine')}
          </button>
        )}
        <p className="equipment-counts" data-testid="equipment-counts">
          {(['running', 'maintenance', 'down'] as const).map((status) => (
            <span key={status} className={`count count-${status}`} data-count-status={status}>
              <StatusBadge status={status} /> <strong>{counts[status]}</strong>
            </span>
          ))}
        </p>
      </div>

      <div className="filter-bar equipment-filters" role="search">
        <div className="filter-search">
          <label htmlFor="equipment-search">{t('equipment.search')}</label>
          <input
            id="equipment-search"
            type="search"
            value={filters.search}
            placeholder={t('equipment.searchPlaceholder')}
            onChange={(event) => {
              const search = event.target.value;
              setFilters((f) => ({ ...f, search }));
            }}
          />
        </div>
        <div className="filter-select">
          <label htmlFor="equipment-status-filter">{t('equipment.statusFilter')}</label>
          <select
            id="equipment-status-filter"
            value={filters.status}
            onChange={(event) => {
              const status = event.target.value as StatusFilter;
              setFilters((f) => ({ ...f, status }));
            }}
          >
            <option value="">{t('equipment.inService')}</option>
            {EQUIPMENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`equipment.status.${status}`)}
              </option>
            ))}
            <option value="all">{t('equipment.allStatuses')}</option>
          </select>
        </div>
        <div className="filter-select">
          <label htmlFor="equipment-area-filter">{t('equipment.areaFilter')}</label>
          <select
            id="equipment-area-filter"
            value={filters.area}
            onChange={(event) => {
              const area = event.target.value;
              setFilters((f) => ({ ...f, area }));
            }}
          >
            <option value="">{t('equipment.allAreas')}</option>
            {areas.map((area) => (
              <option key={area} value={area}>
                {area}
              </option>
            ))}
          </select>
        </div>
        <EquipmentExportButton shown={rows && shown} />
      </div>

      <p className="list-summary" role="status" aria-live="polite">
        {rows ? t('equipment.count', { count: shown.length }) : t('common.loading')}
        {notice && ` · ${notice}`}
      </p>
      {rows && shown.length === 0 && <p className="empty">{t('equipment.empty')}</p>}

      <ul className="equipment-list" data-testid="equipment-list">
        {shown.map(({ machine, depth, hiddenParent, childCount }) => (
          <li
            key={machine.id}
            className={`equipment-row equipment-row-${machine.status} ${depth > 0 ? 'is-child' : ''}`}
            style={{ '--depth': Math.min(depth, 4) } as CSSProperties}
            data-testid="equipment-row"
            data-equipment-id={machine.id}
            data-tag={machine.tag}
            data-status={machine.status}
            data-depth={depth}
            data-parent-id={machine.parent_id ?? ''}
            data-pending={machine.pending ? 'true' : 'false'}
          >
            <button type="button" className="equipment-open" onClick={() => void navigate(paths.machine(machine.tag))}>
              <span className="equipment-row-top">
                <span className="equipment-tag">{machine.tag}</span>
                <span className="equipment-name">{machine.name}</span>
              </span>
              <span className="equipment-row-meta">
                <StatusBadge status={machine.status} />
                {machine.pending && <PendingMarker />}
                <span>{t(`equipment.types.${machine.type}`, { defaultValue: machine.type })}</span>
                {machine.area && <span>{machine.area}</span>}
                {(openTasks.get(machine.id)?.length ?? 0) > 0 && (
                  <span className="equipment-open-tasks">{t('equipment.openTasks', { count: openTasks.get(machine.id)?.length ?? 0 })}</span>
                )}
                {childCount > 0 && <span>{t('equipment.components', { count: childCount })}</span>}
                {hiddenParent && <span className="equipment-parent">{t('equipment.partOf', { tag: hiddenParent.tag, name: hiddenParent.name })}</span>}
              </span>
            </button>
            <StatusButtons
              machine={machine}
              size="compact"
              onRecorded={(status) => setNotice(t('equipment.statusRecorded', { tag: machine.tag, status: t(`equipment.status.${status}`) }))}
            />
          </li>
        ))}
      </ul>

      {creating && (
        <MachineFormDialog
          machines={machines}
          takenTags={takenTags}
          onClose={() => setCreating(false)}
          onSaved={(tag) => void navigate(paths.machine(tag))}
        />
      )}
    </section>
  );
}
