/**
 * When the database worker reached each step of its start (milliseconds since the epoch, so the
 * page can set them beside its own marks): how a cold start splits between loading the worker,
 * waiting for the leader lock, opening PGlite and preparing the schema. Read through the
 * `startupMarks` operation (bench:client reports them; devtools on a tablet can too).
 */
export type StartupStep = 'workerStarted' | 'leaderLock' | 'pgliteOpen' | 'schemaReady';

const marks: Partial<Record<StartupStep, number>> = {};

export function markStartup(step: StartupStep): void {
  marks[step] ??= performance.timeOrigin + performance.now();
}

export function startupMarks(): Partial<Record<StartupStep, number>> {
  return { ...marks };
}
