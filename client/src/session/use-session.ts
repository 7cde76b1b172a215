import { useLiveQuery } from '../db/react.ts';
import { SESSION_COLUMNS, sessionFromRow, type LocalSession } from './local-session.ts';

/** The signed-in session, live: undefined while loading, null when nobody is signed in. */
export function useSession(): LocalSession | null | undefined {
  const result = useLiveQuery<Parameters<typeof sessionFromRow>[0]>(`select ${SESSION_COLUMNS} from session`, []);
  if (!result) return undefined;
  return result.rows[0] ? sessionFromRow(result.rows[0]) : null;
}
