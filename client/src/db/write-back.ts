import type { PGlite } from '@electric-sql/pglite';
import { trackFileChanges } from './file-changes.ts';
import type { WritesBack } from './persisted.ts';
import { writeBackQueue } from './write-back-queue.ts';

/**
 * The tablet's database is written back to IndexedDB in the background, and stored on demand.
 *
 * PGlite keeps the database in memory and copies the changed files to IndexedDB after each query.
 * Waiting for that copy after every query cost 0.2–0.4 s a query on a tablet (it reads the whole
 * file index back from IndexedDB each time), so the worker opens PGlite with relaxed durability:
 * queries answer at once and the copies run behind them, one at a time (`writeBackQueue`). PGlite
 * asks for a copy after reads too; a copy runs only when a file changed since the last one began
 * (`trackFileChanges`), which took two of every three copies off a busy tablet.
 *
 * What a person records must not depend on that. `writeBack` resolves once every change made
 * before the call is in IndexedDB; the worker calls it through `persisted` after recording a
 * command or changing the session, and the live queries before showing rows, so a tablet closed
 * right after a tap keeps the tap.
 *
 * The file store is wrapped after PGlite has opened it rather than passed in as `fs`: PGlite hands
 * a custom `fs` to the second instance it starts for initdb, which would close it.
 */
export function queueWriteBacks(pg: PGlite): () => Promise<void> {
  const fs = pg.fs;
  if (!fs) throw new Error('PGlite has no file store yet');
  const copy = fs.syncToFs.bind(fs);
  const changes = trackFileChanges(pg.Module.FS);
  const writeBack = writeBackQueue(async () => {
    if (!changes.take()) return;
    try {
      await copy();
    } catch (error) {
      changes.restore();
      throw error;
    }
  });
  fs.syncToFs = writeBack;
  return writeBack;
}

/**
 * The database with `writeBack` (see `persisted`), as the leader's worker uses it. Methods are
 * bound to the instance because PGlite's use private fields.
 */
export function withWriteBack<DB extends PGlite>(pg: DB, writeBack: () => Promise<void>): DB & WritesBack {
  return new Proxy(pg, {
    get(target, property) {
      if (property === 'writeBack') return writeBack;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has(target, property) {
      return property === 'writeBack' || Reflect.has(target, property);
    },
  }) as DB & WritesBack;
}
