import { describe, expect, it } from 'vitest';
import {
  machineStats,
  startOfMonth,
  startOfWeek,
  statusPeriods,
  type StatusChange,
} from '../../../client/src/screens/equipment/machine-stats.ts';

/** The machine page's downtime, MTBF and MTTR (definitions in machine-stats.ts). */
const H = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H).toISOString();
const change = (hours: number, status: StatusChange['status'], previous_status: StatusChange['previous_status'] = undefined): StatusChange => ({
  status,
  changed_at: at(hours),
  ...(previous_status !== undefined && { previous_status }),
});

describe('machine stats', () => {
  // Created running at 0 h; down 10–12 h (2 h), running; down 30–34 h (4 h); running; down again from 50 h, still down at 60 h.
  const history = [
    change(0, 'running', null),
    change(10, 'down'),
    change(12, 'running'),
    change(30, 'down'),
    change(34, 'maintenance'),
    change(36, 'running'),
    change(50, 'down'),
  ];
  const now = new Date(T0 + 60 * H);

  it('over the whole history: downtime, failures, MTBF = running time / failures, MTTR = mean of finished repairs', () => {
    const stats = machineStats(statusPeriods(history, now), new Date(T0), now);
    expect(stats.downtimeMs).toBe((2 + 4 + 10) * H);
    expect(stats.failures).toBe(3);
    // Running: 0–10, 12–30, 36–50 = 10 + 18 + 14 = 42 h over 3 failures.
    expect(stats.mtbfMs).toBe(14 * H);
    // Finished repairs: 2 h and 4 h (the one still down is not over).
    expect(stats.mttrMs).toBe(3 * H);
  });

  it('a window clips periods; failures and repairs count when they happen inside it', () => {
    // From 31 h: down 31–34 (3 h) + 50–60 (10 h); one failure (50 h); the 30–34 repair ended inside: 4 h whole.
    const stats = machineStats(statusPeriods(history, now), new Date(T0 + 31 * H), now);
    expect(stats.downtimeMs).toBe(13 * H);
    expect(stats.failures).toBe(1);
    expect(stats.mtbfMs).toBe(14 * H);
    expect(stats.mttrMs).toBe(4 * H);
  });

  it('no failure: no MTBF and no MTTR, not zero', () => {
    const stats = machineStats(statusPeriods([change(0, 'running', null)], now), new Date(T0), now);
    expect(stats).toEqual({ downtimeMs: 0, failures: 0, mtbfMs: null, mttrMs: null });
  });

  it('the rows may come in any order; a first change into down counts as a failure only if it came from another status', () => {
    const shuffled = [change(12, 'running'), change(10, 'down', 'running'), change(0, 'running', null)];
    expect(machineStats(statusPeriods(shuffled, now), new Date(T0), now)).toMatchObject({ downtimeMs: 2 * H, failures: 1, mttrMs: 2 * H });
    // Only a "down" with nothing known before it: down time counts, but no failure is invented.
    expect(machineStats(statusPeriods([change(10, 'down', null)], now), new Date(T0), now)).toMatchObject({ downtimeMs: 50 * H, failures: 0 });
  });

  it('a machine without history is known to have had its status since status_changed_at', () => {
    const periods = statusPeriods([], now, { status: 'down', since: at(40) });
    expect(machineStats(periods, new Date(T0), now).downtimeMs).toBe(20 * H);
    expect(statusPeriods([], now, { status: 'down', since: null })).toEqual([]);
  });

  it('weeks start on Monday, months on the 1st, on the tablet\'s clock', () => {
    const wednesday = new Date(2026, 11, 9, 15, 30); // Wed 9 Dec 2026
    expect(startOfWeek(wednesday)).toEqual(new Date(2026, 11, 7));
    expect(startOfWeek(new Date(2026, 11, 13, 23))).toEqual(new Date(2026, 11, 7)); // Sunday
    expect(startOfWeek(new Date(2026, 11, 7, 0, 1))).toEqual(new Date(2026, 11, 7)); // Monday
    expect(startOfMonth(wednesday)).toEqual(new Date(2026, 11, 1));
  });
});
