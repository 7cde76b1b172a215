import type { EquipmentStatus } from '@cimco/contract';

/**
 * A machine's downtime, MTBF and MTTR from its status history (equipment_status_changes), computed
 * on the tablet so the machine page shows them offline. Pure: the page gives it the rows and now.
 *
 * The history is a list of status changes; each status lasts from its change until the next one
 * (the last one until now). Before the first known change the status is unknown and counts for
 * nothing. A machine with no history at all (made before histories were kept) is known to have had
 * its current status since `equipment.status_changed_at`.
 *
 * Definitions, each within a window [from, now]:
 * - downtime: the time the machine was `down` (periods clipped to the window);
 * - failures: the changes into `down` (from any other status) made within the window;
 * - MTBF (mean time between failures) = time `running` within the window / failures; none when
 *   there was no failure;
 * - MTTR (mean time to repair) = the mean length of the down periods that ended (the machine left
 *   `down`) within the window, each counted whole, from the moment it went down; none when no
 *   repair ended in the window. A machine still down is not in it: its repair is not over.
 */
export interface StatusChange {
  status: EquipmentStatus;
  /** ISO timestamp. */
  changed_at: string;
  /** The status it changed from, as the server recorded it (null for a machine's first). */
  previous_status?: EquipmentStatus | null;
}

export interface MachineStats {
  /** Milliseconds down within the window. */
  downtimeMs: number;
  failures: number;
  /** Milliseconds, or null without failures. */
  mtbfMs: number | null;
  /** Milliseconds, or null without a finished repair. */
  mttrMs: number | null;
}

interface Period {
  status: EquipmentStatus;
  start: number;
  end: number;
  /** The status before this period (null: unknown). */
  previous: EquipmentStatus | null;
}

/** The status periods of a history (sorted by time here), the last one lasting until `now`. */
export function statusPeriods(
  history: readonly StatusChange[],
  now: Date,
  fallback?: { status: EquipmentStatus; since: string | null },
): Period[] {
  const changes = [...history]
    .map((change) => ({ status: change.status, at: Date.parse(change.changed_at), previous: change.previous_status ?? null }))
    .filter((change) => Number.isFinite(change.at))
    .sort((a, b) => a.at - b.at);
  const end = now.getTime();
  if (changes.length === 0) {
    if (!fallback?.since) return [];
    const since = Date.parse(fallback.since);
    return Number.isFinite(since) ? [{ status: fallback.status, start: Math.min(since, end), end, previous: null }] : [];
  }
  return changes.map((change, i) => ({
    status: change.status,
    start: Math.min(change.at, end),
    end: Math.min(changes[i + 1]?.at ?? end, end),
    previous: changes[i - 1]?.status ?? change.previous,
  }));
}

const clipped = (period: Period, from: number, to: number) => Math.max(0, Math.min(period.end, to) - Math.max(period.start, from));

export function machineStats(periods: readonly Period[], from: Date, now: Date): MachineStats {
  const start = from.getTime();
  const end = now.getTime();
  let downtimeMs = 0;
  let runningMs = 0;
  let failures = 0;
  const repairs: number[] = [];
  periods.forEach((period, i) => {
    if (period.status === 'down') downtimeMs += clipped(period, start, end);
    if (period.status === 'running') runningMs += clipped(period, start, end);
    if (period.status === 'down' && period.previous !== null && period.previous !== 'down' && period.start >= start && period.start <= end) failures += 1;
    const ended = i < periods.length - 1;
    if (period.status === 'down' && ended && period.end >= start && period.end <= end) repairs.push(period.end - period.start);
  });
  return {
    downtimeMs,
    failures,
    mtbfMs: failures > 0 ? runningMs / failures : null,
    mttrMs: repairs.length > 0 ? repairs.reduce((sum, ms) => sum + ms, 0) / repairs.length : null,
  };
}

/** Monday 00:00 of the week holding `now`, on the tablet's clock. */
export function startOfWeek(now: Date): Date {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const sinceMonday = (day.getDay() + 6) % 7;
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - sinceMonday);
}

/** The 1st of the month holding `now`, 00:00 on the tablet's clock. */
export function startOfMonth(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), 1);
}

/** The window MTBF and MTTR are given over. */
export const RELIABILITY_WINDOW_DAYS = 90;

export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
