/**
 * The memory of a process tree, read from /proc (Linux): each process's RSS, PSS and USS from
 * /proc/<pid>/smaps_rollup. Shared by the benchmarks that state a memory figure.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  command: string;
  rssMb: number;
  /** Proportional set size: shared pages (the node binary, PostgreSQL's shared buffers) divided among the processes sharing them. */
  pssMb: number;
  /** Unique set size: the pages no other process maps, what ending this process would free. */
  ussMb: number;
}

/** Every process below `root` (not `root` itself), with its memory, read from /proc. */
export function descendantsMemory(root: number): ProcessMemory[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const result: ProcessMemory[] = [];
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      const memory = memoryOf(child);
      if (memory) result.push(memory);
      visit(child);
    }
  };
  visit(root);
  return result;
}

export function memoryOf(pid: number): ProcessMemory | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, command, rssMb: kb('Rss') / 1024, pssMb: kb('Pss') / 1024, ussMb: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
  } catch {
    // it ended while we looked
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the name in parentheses may hold spaces: fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

export type ProcessKind = 'launchdb (platform-api, postgrest-manager, bench)' | 'data APIs' | 'PostgreSQL' | 'PgBouncer' | 'other';

export function kindOf(command: string): Exclude<ProcessKind, 'launchdb (platform-api, postgrest-manager, bench)'> {
  if (/data-api[^ ]*main\.js/.test(command)) return 'data APIs';
  if (/^postgres(:| )|\/postgres( |$)/.test(command)) return 'PostgreSQL';
  if (/pgbouncer/.test(command)) return 'PgBouncer';
  return 'other';
}
