import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** SIGTERM, then waits for the exit (a --cpu-prof profile is written then). */
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  name: string;
  /** `node`'s arguments: options and the script. */
  nodeArgs: string[];
  cwd: string;
  env: Record<string, string>;
  url: string;
  /** A request that answers `expectedStatus` once the server can serve the bench (the data API loads its schema cache in the background). */
  readyPath: string;
  readyHeaders: Record<string, string>;
}

/** A server as its own process, so its memory is its own and the load generator never shares its event loop. */
export async function spawnServer(options: SpawnServerOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, options.nodeArgs, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 30) output.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited during start-up:\n${output.join('\n')}`);
    try {
      const response = await fetch(options.url + options.readyPath, { headers: options.readyHeaders });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`${options.name} was not ready within 30 s:\n${output.join('\n')}`);
    }
    await sleep(100);
  }

  return {
    name: options.name,
    pid: child.pid!,
    url: options.url,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface MemoryStatus {
  /** Resident set size now, in MB (VmRSS). */
  rssMb: number;
  /** Peak resident set size since start or since the last resetPeakRss, in MB (VmHWM). */
  peakRssMb: number;
  /** The anonymous (private) part of VmRSS, in MB: what one more such process costs, file pages of the node binary being shared. */
  anonMb: number;
}

/** /proc/<pid>/status of a running process. */
export function memoryStatus(pid: number): MemoryStatus {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** Resets VmHWM to the current RSS (Linux: `5` to /proc/<pid>/clear_refs). False when not permitted. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples VmRSS every `intervalMs` until stopped; returns the largest value seen. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let max = memoryStatus(pid).rssMb;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryStatus(pid).rssMb);
    } catch {
      // the process ended
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}
