import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/*
 * What the platform's children (Caddy, the split topology's services) have in common: their
 * output kept to say why one failed to start, their port polled until it listens, and a stop that
 * lets them close their connections first.
 */

/** Hands each line the child writes (stdout and stderr) to `onLine`; the array keeps the last `keep` of them. */
export function recentOutput(child: ChildProcess, keep: number, onLine: (line: string) => void): string[] {
  const recent: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      recent.push(line);
      if (recent.length > keep) recent.shift();
      onLine(line);
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  return recent;
}

/** Whether host:port accepts a TCP connection now. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function terminate(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
