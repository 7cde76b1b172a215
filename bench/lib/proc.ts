import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * CPU time and memory of processes, read from /proc (Linux only), for the benchmarks' "what did
 * it cost" columns: the server child, the PostgreSQL cluster, and the bench process itself.
 */

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

interface Stat {
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
  /** cutime + cstime (children already waited for), seconds. */
  childrenCpu: number;
}

/** `/proc/<pid>/stat`: "pid (comm) state ppid … utime stime cutime cstime …"; comm may hold spaces. */
function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is the state (field 3 of the man page): field n is fields[n - 3].
  const n = (field: number) => Number(fields[field - 3]);
  return {
    ppid: n(4),
    cpu: (n(14) + n(15)) / CLOCK_TICKS,
    childrenCpu: (n(16) + n(17)) / CLOCK_TICKS,
  };
}

/** CPU seconds used by the process so far, or undefined once it is gone. */
export function processCpu(pid: number): number | undefined {
  return readStat(pid)?.cpu;
}

/** VmRSS in bytes. */
export function processRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster, its live children (backends, walwriter…),
 * and the children that already exited (their time is added to the postmaster's cutime/cstime
 * when it reaps them, so short-lived backends are not lost).
 */
export function clusterCpu(postmasterPid: number): number {
  const postmaster = readStat(postmasterPid);
  if (!postmaster) return 0;
  let total = postmaster.cpu + postmaster.childrenCpu;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid === postmasterPid) total += stat.cpu;
  }
  return total;
}

/** CPU seconds the whole machine spent busy (all cores, every process and the kernel), from /proc/stat. */
export function machineBusyCpu(): number {
  const line = readLines('/proc/stat')[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1, 9).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** The port a process listens on (TCP, IPv4 or IPv6), found through its socket inodes. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const file of ['tcp', 'tcp6']) {
    for (const line of readLines(`/proc/${pid}/net/${file}`).slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(Number.parseInt(f[1]!.split(':').pop()!, 16));
    }
  }
  return ports;
}

/** Established TCP connections accepted on `port` (the server's end of each; clients' ends are not counted). */
export function establishedConnections(port: number): { serverSide: number } {
  let serverSide = 0;
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['tcp', 'tcp6']) {
    for (const line of readLines(`/proc/net/${file}`).slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '01' && f[1]!.endsWith(`:${hex}`)) serverSide++;
    }
  }
  return { serverSide };
}

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1]!.trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cores: os.availableParallelism(),
    cpuModel,
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** What one phase of a benchmark cost, per process. */
export interface PhaseCost {
  name: string;
  seconds: number;
  serverCpu: number;
  serverPeakRss: number;
  postgresCpu: number;
  benchCpu: number;
  /** Busy CPU of everything else on the machine (other processes, the kernel's own work). */
  otherCpu: number;
}

/**
 * Samples the server's RSS every `intervalMs` while phases run, and reads CPU counters of the
 * server, the PostgreSQL cluster and this process at each phase's start and end.
 */
export class CostMeter {
  readonly phases: PhaseCost[] = [];
  #active = new Map<
    string,
    { started: number; server: number; postgres: number; bench: NodeJS.CpuUsage; machine: number; peak: number }
  >();
  #timer: NodeJS.Timeout;

  constructor(
    private readonly serverPid: number,
    private readonly postmasterPid: number,
    intervalMs = 100,
  ) {
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  start(name: string): void {
    this.#active.set(name, {
      started: performance.now(),
      server: processCpu(this.serverPid) ?? 0,
      postgres: clusterCpu(this.postmasterPid),
      bench: process.cpuUsage(),
      machine: machineBusyCpu(),
      peak: processRss(this.serverPid) ?? 0,
    });
  }

  end(name: string): PhaseCost {
    const phase = this.#active.get(name);
    if (!phase) throw new Error(`phase ${name} was not started`);
    this.#sample();
    this.#active.delete(name);
    const bench = process.cpuUsage(phase.bench);
    const serverCpu = (processCpu(this.serverPid) ?? phase.server) - phase.server;
    const postgresCpu = clusterCpu(this.postmasterPid) - phase.postgres;
    const benchCpu = (bench.user + bench.system) / 1e6;
    const machine = machineBusyCpu() - phase.machine;
    const cost: PhaseCost = {
      name,
      seconds: (performance.now() - phase.started) / 1000,
      serverCpu,
      serverPeakRss: phase.peak,
      postgresCpu,
      benchCpu,
      otherCpu: Math.max(0, machine - serverCpu - postgresCpu - benchCpu),
    };
    this.phases.push(cost);
    return cost;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    if (this.#active.size === 0) return;
    const rss = processRss(this.serverPid) ?? 0;
    for (const phase of this.#active.values()) phase.peak = Math.max(phase.peak, rss);
  }
}
