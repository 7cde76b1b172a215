import { createContext, createElement, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { LocalDatabase, LiveHandle } from './local-database.ts';
import type { LiveResult, LiveSpec } from './protocol.ts';

const DatabaseContext = createContext<LocalDatabase | null>(null);

export function DatabaseProvider({ db, children }: { db: LocalDatabase; children: ReactNode }) {
  return createElement(DatabaseContext.Provider, { value: db }, children);
}

export function useDatabase(): LocalDatabase {
  const db = useContext(DatabaseContext);
  if (!db) throw new Error('useDatabase outside DatabaseProvider');
  return db;
}

/**
 * A query's rows, kept up to date (db/live-engine.ts): undefined until the first answer. A new
 * `sql` or new `params` (compared by value) start a new query; the last rows stay until its answer.
 */
export function useLiveQuery<T>(sql: string, params: unknown[] = []): LiveResult<T> | undefined {
  return useLive<T>({ sql, params });
}

/**
 * A live query with every option (a window of rows, a count): undefined until the first answer.
 * The spec is compared by value: a new window or new parameters update the running query.
 */
export function useLive<T>(spec: LiveSpec | null): LiveResult<T> | undefined {
  const db = useDatabase();
  const [result, setResult] = useState<LiveResult<T>>();
  const handle = useRef<LiveHandle | null>(null);
  const key = spec ? JSON.stringify(spec) : null;

  useEffect(() => {
    if (key === null) return;
    const current = JSON.parse(key) as LiveSpec;
    if (handle.current) handle.current.update(current);
    else handle.current = db.subscribe<T>(current, setResult);
  }, [db, key]);

  useEffect(
    () => () => {
      handle.current?.close();
      handle.current = null;
    },
    [db],
  );

  return result;
}
