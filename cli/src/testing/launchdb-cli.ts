import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunAs } from '@launchdb/common';

/** The `launchdb` command as operators run it. */
export const LAUNCHDB = fileURLToPath(new URL('../../bin/launchdb.js', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Its whole environment but PATH and HOME, which are this process's unless named here. */
  env: Record<string, string>;
  cwd?: string;
  runAs?: RunAs | undefined;
}

/** For tests: runs a command to its end and collects what it printed. */
export function runToEnd(command: string, args: string[], options: RunOptions): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      ...(options.runAs ?? {}),
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `launchdb <args>`, run to its end. */
export function runLaunchdb(args: string[], options: RunOptions): Promise<Finished> {
  return runToEnd(process.execPath, [LAUNCHDB, ...args], options);
}
