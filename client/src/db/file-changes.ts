/**
 * Whether PostgreSQL changed any of its files since the last look.
 *
 * With relaxed durability PGlite starts a write-back to IndexedDB after every query, reads
 * included, and each one costs a pass over the whole file index in IndexedDB (about 0.3 s on a
 * tablet) even when nothing changed. The write-back only needs to run when a file did change, and
 * every change goes through one of the Emscripten file system calls below (PostgreSQL reaches them
 * through the syscalls: write, pwrite, truncate, open with O_CREAT/O_TRUNC, rename, unlink…), so
 * they are wrapped to raise a flag.
 */

/** The file system calls that change a file's contents, times or the set of files. */
const CHANGING_CALLS = [
  'write',
  'msync',
  'allocate',
  'truncate',
  'ftruncate',
  'mknod',
  'mkdir',
  'symlink',
  'rename',
  'unlink',
  'rmdir',
  'utime',
  'chmod',
  'fchmod',
  'chown',
  'fchown',
] as const;

type FileSystem = Record<(typeof CHANGING_CALLS)[number], (...args: unknown[]) => unknown>;

export interface FileChanges {
  /** True if a file changed since the last call (or since tracking began); resets the flag. */
  take(): boolean;
  /** Raise the flag again: a write-back that took the changes failed, so the next must run. */
  restore(): void;
}

export function trackFileChanges(fs: object): FileChanges {
  const calls = fs as FileSystem;
  let changed = true;
  for (const name of CHANGING_CALLS) {
    const original = calls[name];
    if (typeof original !== 'function') throw new Error(`the file system has no ${name}()`);
    calls[name] = function (this: unknown, ...args: unknown[]) {
      changed = true;
      return original.apply(this, args);
    };
  }
  return {
    take() {
      const was = changed;
      changed = false;
      return was;
    },
    restore() {
      changed = true;
    },
  };
}
