import { readFileSync } from 'node:fs';

/**
 * What /proc says about a process. Adoption relies on it to be sure a pid from a state file is
 * still the data API that was started then, not a new process that reuses the number; where
 * there is no /proc (not Linux), nothing is adopted and every data API is started afresh.
 */

/** The kernel's start time of the process (clock ticks since boot): with the pid, a unique identity. */
export function processStartTime(pid: number): string | undefined {
  const fields = statFields(pid);
  return fields?.[19];
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone; EPERM: it belongs to someone else, so it is not ours anyway
    return false;
  }
  const state = statFields(pid)?.[0];
  return state !== undefined ? state !== 'Z' && state !== 'X' : true;
}

/** The process's argv, or undefined when it cannot be read. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses): [state, ppid, …]. */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const end = text.lastIndexOf(')');
  return end === -1 ? undefined : text.slice(end + 2).trim().split(' ');
}
