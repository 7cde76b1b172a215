/**
 * The rules of the tablet's write-back queue (client/src/db/write-back-queue.ts), which decide when
 * `persisted` may say a recorded command is stored: a caller is only served by a write-back that
 * started after it asked; at most one runs and at most one waits; a failure reaches its callers and
 * does not stop the next write-back.
 */
import { describe, expect, it } from 'vitest';
import { writeBackQueue } from '../../../client/src/db/write-back-queue.ts';

/** A write-back the test finishes by hand, and a log of when each one started. */
function controlledWriteBacks() {
  const started: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  const run = () =>
    new Promise<void>((resolve, reject) => {
      started.push({ finish: resolve, fail: reject });
    });
  return { started, run };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether a promise has settled, without waiting for it. */
function watch(promise: Promise<void>) {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => (state.done = true),
    (error: unknown) => ((state.done = true), (state.error = error)),
  );
  return state;
}

describe('writeBackQueue', () => {
  it('starts a write-back at once when none is running, and resolves when it is stored', async () => {
    const { started, run } = controlledWriteBacks();
    const writeBack = writeBackQueue(run);
    const first = watch(writeBack());
    expect(started).toHaveLength(1);
    await settle();
    expect(first.done).toBe(false);
    started[0]!.finish();
    await settle();
    expect(first).toEqual({ done: true, error: undefined });
  });

  it('serves a caller who asks while a write-back runs with the next one, not the running one', async () => {
    const { started, run } = controlledWriteBacks();
    const writeBack = writeBackQueue(run);
    void writeBack();
    // Asked after the running write-back took its copy: its change may not be in it.
    const later = watch(writeBack());
    expect(started).toHaveLength(1); // never two at once
    started[0]!.finish();
    await settle();
    expect(later.done).toBe(false);
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(later.done).toBe(true);
  });

  it('lets every caller who asks while one is queued share it: one runs, one waits', async () => {
    const { started, run } = controlledWriteBacks();
    const writeBack = writeBackQueue(run);
    void writeBack();
    const waiting = [writeBack(), writeBack(), writeBack()].map(watch);
    started[0]!.finish();
    await settle();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(waiting.every((w) => w.done)).toBe(true);
    expect(started).toHaveLength(2);
    // Once it has started, a new caller queues a new one.
    void writeBack();
    expect(started).toHaveLength(3);
  });

  it('rejects the callers of a failed write-back, and the next caller gets a new one', async () => {
    const { started, run } = controlledWriteBacks();
    const writeBack = writeBackQueue(run);
    const failed = watch(writeBack());
    const queued = watch(writeBack());
    started[0]!.fail(new Error('QuotaExceededError'));
    await settle();
    expect(failed.error).toEqual(new Error('QuotaExceededError'));
    // The one queued behind the failure still runs: a failure does not stop the write-backs.
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await settle();
    expect(queued).toEqual({ done: true, error: undefined });
    const after = watch(writeBack());
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await settle();
    expect(after.done).toBe(true);
  });
});
