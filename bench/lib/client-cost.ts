import { treeCpu } from './client-browser.ts';
import { clusterCpu, machineBusyCpu, processCpu } from './proc.ts';

/** CPU seconds one phase of `bench:client` cost, per process; `other` is the rest of the machine. */
export interface ClientPhaseCost {
  parts: number;
  name: string;
  seconds: number;
  browser: number;
  server: number;
  postgres: number;
  bench: number;
  other: number;
}

/**
 * Reads CPU counters at a phase's start and end: the browser's process tree, the server child,
 * the PostgreSQL cluster, this process, and the whole machine (so other work on it shows).
 */
export class ClientMeter {
  readonly phases: ClientPhaseCost[] = [];
  #open = new Map<string, { started: number; browserPid: number | undefined; browser: number; server: number; postgres: number; bench: NodeJS.CpuUsage; machine: number }>();

  constructor(
    private readonly parts: number,
    private readonly serverPid: number,
    private readonly postmasterPid: number,
  ) {}

  start(name: string, browserPid: number | undefined): void {
    this.#open.set(name, {
      started: performance.now(),
      browserPid,
      browser: treeCpu(browserPid),
      server: processCpu(this.serverPid) ?? 0,
      postgres: clusterCpu(this.postmasterPid),
      bench: process.cpuUsage(),
      machine: machineBusyCpu(),
    });
  }

  end(name: string): ClientPhaseCost {
    const p = this.#open.get(name);
    if (!p) throw new Error(`phase ${name} was not started`);
    this.#open.delete(name);
    const bench = process.cpuUsage(p.bench);
    const cost: ClientPhaseCost = {
      parts: this.parts,
      name,
      seconds: (performance.now() - p.started) / 1000,
      browser: Math.max(0, treeCpu(p.browserPid) - p.browser),
      server: (processCpu(this.serverPid) ?? p.server) - p.server,
      postgres: clusterCpu(this.postmasterPid) - p.postgres,
      bench: (bench.user + bench.system) / 1e6,
      other: 0,
    };
    const machine = machineBusyCpu() - p.machine;
    cost.other = Math.max(0, machine - cost.browser - cost.server - cost.postgres - cost.bench);
    this.phases.push(cost);
    return cost;
  }
}
