import { PGliteProvider, usePGlite } from '@electric-sql/pglite-react';
import type { LocalDatabase } from './local-database.ts';

/**
 * The tablet's database for React. pglite-react's own provider, because its `useLiveQuery` reads
 * that context; `useDatabase()` is `usePGlite()` with the worker's type.
 */
export const DatabaseProvider = PGliteProvider;

export function useDatabase(): LocalDatabase {
  return usePGlite() as LocalDatabase;
}
