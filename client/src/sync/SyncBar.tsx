import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useDatabase, useLiveQuery } from '../db/react.ts';
import type { FirstCopyProgress } from '../leader/first-copy.ts';
import type { SyncProblem } from '../leader/sync-status.ts';
import { formatNumber } from '../ui/format.ts';

interface SyncRow {
  online: boolean | null;
  last_sync_at: string | null;
  initial_sync_done: boolean;
  first_copy: FirstCopyProgress | null;
  last_error: string | null;
  pending: number;
  waiting_for_others: number;
  attention: number;
}

const SYNC_SQL = `
  select s.online, s.last_sync_at::text as last_sync_at, s.initial_sync_done, s.first_copy, s.last_error,
         (select count(*)::int from outbox o where o.user_id = (select user_id from session)) as pending,
         (select count(*)::int from outbox o where o.user_id is distinct from (select user_id from session)) as waiting_for_others,
         (select count(*)::int from needs_attention) as attention
    from sync_state s`;

/**
 * Always visible: whether the server answers, how many changes wait to upload, when the tablet
 * last heard from the server, what stops the sync if something does, and how many refused changes
 * need a look.
 */
export function SyncBar({ onOpenAttention }: { onOpenAttention: () => void }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const row = useLiveQuery<SyncRow>(SYNC_SQL, [])?.rows[0];
  const now = useNow(15_000);
  if (!row) return null;

  const state = row.online === false ? 'offline' : row.online ? 'online' : 'connecting';
  const lastSync = row.last_sync_at ? relativeTime(t, now - Date.parse(row.last_sync_at)) : null;
  return (
    <div
      className={`sync-bar sync-bar-${state}`}
      role="status"
      data-testid="sync-bar"
      data-online={state}
      data-pending={row.pending}
      data-attention={row.attention}
    >
      <span className="sync-state">
        <span className="sync-dot" aria-hidden="true" />
        {t(`sync.${state}`)}
      </span>
      {/* Before the rest: on a narrow header the line is cut at its end, never here. */}
      {row.last_error && <SyncProblemText stored={row.last_error} />}
      <span className="sync-pending">
        {row.pending > 0 ? t('sync.pending', { count: row.pending }) : t('sync.allUploaded')}
        {row.waiting_for_others > 0 && ` · ${t('sync.waitingForOthers', { count: row.waiting_for_others })}`}
      </span>
      {row.first_copy ? (
        <FirstCopyBar progress={row.first_copy} />
      ) : (
      <span className="sync-last">
        {!row.initial_sync_done && row.online ? t('sync.syncing') : lastSync ? t('sync.lastSync', { time: lastSync }) : t('sync.neverSynced')}
      </span>
      )}
      {row.pending > 0 && (
        <button type="button" className="sync-now" onClick={() => void db.run('syncNow')}>
          {t('sync.syncNow')}
        </button>
      )}
      {row.attention > 0 && (
        <button type="button" className="sync-attention" onClick={onOpenAttention}>
          {t('sync.needsAttention', { count: row.attention })}
        </button>
      )}
    </div>
  );
}

/** The first copy of the yard on its way: a bar by bytes (known from the start), rows in words. */
function FirstCopyBar({ progress }: { progress: FirstCopyProgress }) {
  const { t, i18n } = useTranslation();
  const share = progress.bytesExpected > 0 ? Math.min(progress.bytes / progress.bytesExpected, 1) : 0;
  const label = t('sync.firstCopy', { rows: formatNumber(progress.rows, i18n.language), tablesRead: progress.tablesRead, tables: progress.tables });
  return (
    <span className="sync-first-copy" data-testid="first-copy">
      <progress max={1} value={share} aria-label={t('sync.firstCopyBar')} />
      <span>{label}</span>
    </span>
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function relativeTime(t: TFunction, ms: number): string {
  const minutes = Math.floor(Math.max(ms, 0) / 60_000);
  if (minutes < 1) return t('sync.justNow');
  if (minutes < 60) return t('sync.minutesAgo', { count: minutes });
  return t('sync.hoursAgo', { count: Math.floor(minutes / 60) });
}

/**
 * What troubles the sync, in the person's language; the error's own text (often the server's, in
 * English) only on hover, for whoever supports the tablet.
 */
function SyncProblemText({ stored }: { stored: string }) {
  const { t } = useTranslation();
  let problem: SyncProblem | undefined;
  try {
    problem = JSON.parse(stored) as SyncProblem;
  } catch {
    problem = undefined; // written by an older version: plain text
  }
  const message = problem?.code ? t(`sync.problems.${problem.code}`, problem.params ?? {}) : stored;
  const text = t('sync.problem', { message });
  return (
    <span className="sync-error" data-testid="sync-error" title={problem?.detail ? `${text} (${problem.detail})` : text}>
      {text}
    </span>
  );
}
