import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartupError, type Logger } from '@launchdb/common';
import { accepts, recentOutput, terminate } from './child-process.ts';
import { ProcessSupervisor } from './process-supervisor.ts';

export interface ServiceProcessOptions {
  /** As docker-compose.yml names it: `platform-api`, `auth-service`, … */
  name: string;
  command: string;
  args: string[];
  /** Its own folder: a `.env` of the repository is never read, relative paths stay inside. */
  cwd: string;
  /** Exactly what its container is given (plus PATH). */
  env: Record<string, string>;
  /** It is up once this port accepts connections; without one, once it has run for a moment. */
  port?: number;
  logger: Logger;
}

/**
 * One service of the split topology: its own OS process, started again by a ProcessSupervisor
 * when it dies under us, as a container's restart policy would.
 */
export class ServiceProcess {
  readonly #options: ServiceProcessOptions;
  readonly supervisor: ProcessSupervisor;
  #child: ChildProcess | undefined;
  #stopping = false;

  constructor(options: ServiceProcessOptions) {
    this.#options = options;
    this.supervisor = new ProcessSupervisor({ name: options.name, logger: options.logger, restart: () => this.start() });
  }

  get name(): string {
    return this.#options.name;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const { command, args, cwd, env, port, logger, name } = this.#options;
    await mkdir(cwd, { recursive: true });
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const recent = recentOutput(child, 10, (line) => logger.debug(line));
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = String(signal ?? code);
      if (this.#child === child) this.#child = undefined;
      if (!this.#stopping) this.supervisor.exited(code, signal);
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited !== undefined) throw new StartupError(`${name} exited with ${exited}: ${recent.slice(-3).join(' | ')}`);
      if (port === undefined ? Date.now() > deadline - 59_000 : await accepts('127.0.0.1', port)) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new StartupError(`${name} did not listen on 127.0.0.1:${port} within 60 s: ${recent.slice(-3).join(' | ')}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM (each service closes its connections), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.supervisor.stop();
    const child = this.#child;
    if (!child) return;
    await terminate(child);
  }

  killNow(): void {
    this.#stopping = true;
    this.#child?.kill('SIGKILL');
  }
}
