/**
 * Orders the tablet's write-backs of its database to IndexedDB and lets a caller wait until what it
 * changed is stored.
 *
 * A write-back copies the files changed since the last one, as they are when it starts. So a
 * caller is served by a write-back that starts after it asks: if one is already queued (not
 * started) the caller shares it, otherwise a new one is queued behind the one running. At most one
 * runs at a time and at most one waits, however many ask.
 */
export function writeBackQueue(writeBack: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const start = (): Promise<void> => {
    const run = writeBack().finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  };

  return () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => undefined) // a failed write-back is its own callers' error; the next one retries
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
}
