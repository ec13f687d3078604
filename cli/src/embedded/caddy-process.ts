import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { StartupError } from '@launchdb/common';
import { accepts, recentOutput, terminate } from './child-process.ts';

/** caddy/: the production Caddyfile, Caddyfile.local and the routes both import. */
export const CADDY_FOLDER = fileURLToPath(new URL('../../../caddy/', import.meta.url));
export const LOCAL_CADDYFILE = join(CADDY_FOLDER, 'Caddyfile.local');
export const PRODUCTION_CADDYFILE = join(CADDY_FOLDER, 'Caddyfile');

export function findCaddyBinary(searchPath: string = process.env.PATH ?? ''): string | undefined {
  for (const folder of [...searchPath.split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin']) {
    const candidate = join(folder, 'caddy');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where each route group goes: `host:port`, several (space-separated) for replicas behind the load balancer. */
export interface CaddyUpstreams {
  platformApi: string;
  auth: string;
  storage: string;
  dashboard: string;
}

export interface CaddyProcessOptions {
  binary: string;
  /** Caddy's certificates, its XDG folders: nothing of it lands in $HOME. */
  stateDir: string;
  /** `http://127.0.0.1:<port>`, or `https://localhost:<port>` (Caddy's internal CA). */
  siteAddress: string;
  /** A port of its own: two Caddys on one admin port both start and clash later (SO_REUSEPORT). */
  adminAddress: string;
  upstreams: CaddyUpstreams;
  /** The access log's file; stdout (given to onLog) when unset. */
  accessLog?: string;
  /** Body limits and other settings Caddyfile.local reads (GATEWAY_BODY_LIMIT_BYTES, …). */
  env?: Record<string, string>;
  onLog?: (line: string) => void;
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Real Caddy in front of the services with caddy/Caddyfile.local, as `launchdb up --split` and the tests run it. */
export class CaddyProcess {
  readonly #options: CaddyProcessOptions;
  #child: ChildProcess | undefined;
  #stopping = false;

  constructor(options: CaddyProcessOptions) {
    this.#options = options;
  }

  /** The environment Caddyfile.local is read with. */
  environment(): Record<string, string> {
    const { stateDir, siteAddress, adminAddress, upstreams, accessLog, env } = this.#options;
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: stateDir,
      XDG_CONFIG_HOME: join(stateDir, 'config'),
      XDG_DATA_HOME: join(stateDir, 'data'),
      CADDY_STORAGE_DIR: join(stateDir, 'data', 'caddy'),
      CADDY_ADMIN_ADDRESS: adminAddress,
      CADDY_AUTO_HTTPS: siteAddress.startsWith('https://') ? 'disable_redirects' : 'off',
      LAUNCHDB_SITE_ADDRESS: siteAddress,
      PLATFORM_API_UPSTREAMS: upstreams.platformApi,
      AUTH_UPSTREAMS: upstreams.auth,
      STORAGE_UPSTREAMS: upstreams.storage,
      DASHBOARD_UPSTREAMS: upstreams.dashboard,
      ...(accessLog ? { CADDY_ACCESS_LOG: `file ${accessLog}` } : {}),
      ...env,
    };
  }

  /** The root certificate of Caddy's internal CA (HTTPS sites), once it has served one. */
  get rootCertificate(): string {
    return join(this.#options.stateDir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Resolves once the site's port accepts connections. */
  async start(): Promise<void> {
    await mkdir(join(this.#options.stateDir, 'data'), { recursive: true });
    this.#stopping = false;
    const child = spawn(this.#options.binary, ['run', '--config', LOCAL_CADDYFILE, '--adapter', 'caddyfile'], {
      env: this.environment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let exited: string | undefined;
    const recent = recentOutput(child, 20, (line) => this.#options.onLog?.(line));
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      if (this.#child === child) this.#child = undefined;
      if (!this.#stopping) this.#options.onUnexpectedExit?.(code, signal);
    });
    const { hostname, port } = siteHostPort(this.#options.siteAddress);
    const deadline = Date.now() + 15_000;
    while (!(await accepts(hostname, port))) {
      if (exited) throw new StartupError(`Caddy ${exited}: ${recent.filter((line) => /error|Error/.test(line)).slice(-3).join(' | ') || recent.slice(-3).join(' | ')}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new StartupError(`Caddy did not listen on ${this.#options.siteAddress} within 15 s`);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    await terminate(child);
  }

  killNow(): void {
    this.#stopping = true;
    this.#child?.kill('SIGKILL');
  }
}

function siteHostPort(address: string): { hostname: string; port: number } {
  const url = new URL(address);
  const hostname = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
  return { hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}
