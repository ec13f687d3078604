import { readdirSync, readFileSync } from 'node:fs';

/**
 * How much CPU went to processes that are not part of the bench (other work on a shared
 * machine), so that a run disturbed by them can be told apart: CPU time of the whole machine
 * (/proc/stat) minus that of the bench's own processes (this one, the servers, the Postgres
 * cluster and its backends).
 */
export class ForeignCpu {
  readonly #ownPids: () => number[];
  #start: { total: number; own: number; wall: number } | undefined;

  /** `ownRoots`: processes whose whole trees belong to the bench (servers, the postmaster). */
  constructor(ownRoots: () => number[]) {
    this.#ownPids = () => descendants([process.pid, ...ownRoots()]);
  }

  start(): void {
    this.#start = { total: machineBusyTicks(), own: processTicks(this.#ownPids()), wall: Date.now() };
  }

  /** Cores' worth of CPU used by other processes since start(), e.g. 0.3 = 30 % of one core. */
  stop(): number {
    const start = this.#start;
    if (!start) return Number.NaN;
    const total = machineBusyTicks() - start.total;
    const own = processTicks(this.#ownPids()) - start.own;
    const seconds = (Date.now() - start.wall) / 1000;
    // processes that ended during the run are missing from `own`: clamp at zero
    return Math.max(0, (total - own) / TICKS_PER_SECOND / seconds);
  }
}

/** CPU time (user + system) one process has used so far, in seconds. */
export function processCpuSeconds(pid: number): number {
  return processTicks([pid]) / TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: fields start after the last ')'
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function processTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the name)
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

/** The given processes and all their descendants. */
function descendants(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const all = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (all.has(pid)) continue;
    all.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...all];
}
