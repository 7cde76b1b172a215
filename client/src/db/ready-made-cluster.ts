import { READY_MADE_CLUSTER_PATH } from './cluster-settings.ts';

/**
 * On a tablet's first start, the ready-made empty cluster for PGlite to load instead of running
 * initdb (several seconds of a first visit on a tablet); precached by the service worker.
 * Undefined when it cannot be had: PGlite then runs initdb as usual.
 */
export async function fetchReadyMadeCluster(origin: string): Promise<Blob | undefined> {
  try {
    const response = await fetch(new URL(READY_MADE_CLUSTER_PATH, origin));
    return response.ok ? await response.blob() : undefined;
  } catch {
    return undefined;
  }
}
