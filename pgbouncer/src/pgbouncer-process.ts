import { randomBytes } from 'node:crypto';
import { chown, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunAs } from '@launchdb/common/service-user';
import { databaseCommand, runAdminCommand, runAdminCommands, type AdminCommand, type AdminConsoleLogin } from './admin-console.ts';
import { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
import { clientHost, PgBouncerChild } from './pgbouncer-child.ts';
import type { PgBouncerSettings, UserSecret } from './settings.ts';

/** The settings a caller chooses; the file paths live in the config folder. */
export type PgBouncerProcessSettings = Omit<PgBouncerSettings, 'authFile' | 'logFile' | 'pidFile'>;

export interface PgBouncerProcessOptions {
  binary: string;
  /** Holds pgbouncer.ini, userlist.txt, the log and the pid file; created if missing and handed to `runAs`. */
  configDir: string;
  settings: PgBouncerProcessSettings;
  users: UserSecret[];
  /** PgBouncer refuses to run as root: when we are root, pass `serviceUser()`. */
  runAs: RunAs | undefined;
  /** Admin console login used by `reload()`; the user must be in `settings.adminUsers` and in `users`. */
  admin?: { user: string; password: string };
  onLog?: (line: string) => void;
  /** Called when a started PgBouncer exits without stop() or killNow() having asked it to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** One PgBouncer, run in the foreground as a child process we own. */
export class PgBouncerProcess {
  readonly #binary: string;
  readonly #configDir: string;
  readonly #runAs: RunAs | undefined;
  readonly #admin: { user: string; password: string } | undefined;
  readonly #onLog: ((line: string) => void) | undefined;
  readonly #onUnexpectedExit: PgBouncerProcessOptions['onUnexpectedExit'];
  /** Between refuseClients() and admitClients(): kept across a restart and a reload of PgBouncer. */
  #refusing = false;
  /**
   * Console commands run one after another: a RELOAD's re-refusal racing an admitClients() on
   * another connection could otherwise land last and leave an alias refused after the outage.
   */
  #console: Promise<unknown> = Promise.resolve();
  #settings: PgBouncerProcessSettings;
  #users: UserSecret[];
  #child: PgBouncerChild | undefined;

  constructor(options: PgBouncerProcessOptions) {
    this.#binary = options.binary;
    this.#configDir = resolve(options.configDir);
    this.#runAs = options.runAs;
    this.#admin = options.admin;
    this.#onLog = options.onLog;
    this.#onUnexpectedExit = options.onUnexpectedExit;
    this.#settings = options.settings;
    this.#users = options.users;
  }

  get iniPath(): string {
    return join(this.#configDir, 'pgbouncer.ini');
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get port(): number {
    return this.#settings.listenPort;
  }

  /** The address a client on this machine connects to. */
  get host(): string {
    return clientHost(this.#settings.listenAddress);
  }

  /** Its admin console, as /metrics reads it (SHOW POOLS); undefined without an admin login. */
  get adminLogin(): AdminConsoleLogin | undefined {
    return this.#admin ? { host: this.host, port: this.port, ...this.#admin } : undefined;
  }

  /** Writes pgbouncer.ini and userlist.txt; a reader never sees a half-written file. */
  async writeConfig(): Promise<void> {
    const files = this.#render(this.#settings, this.#users);
    await mkdir(this.#configDir, { recursive: true, mode: 0o700 });
    // PgBouncer creates its log and pid file here, so the folder must be its own.
    if (this.#runAs) await chown(this.#configDir, this.#runAs.uid, this.#runAs.gid);
    await this.#writeAtomically(this.iniPath, files.ini);
    await this.#writeAtomically(this.#path('userlist.txt'), files.userlist);
  }

  /**
   * Writes the config, then starts PgBouncer and resolves once its port accepts connections.
   * Rejects with a StartupError saying why when it cannot listen or stops during start-up.
   */
  async start(): Promise<void> {
    if (this.#child?.running) throw new Error('PgBouncer is already running');
    await this.writeConfig();
    const child = new PgBouncerChild({
      binary: this.#binary,
      iniPath: this.iniPath,
      listenAddress: this.#settings.listenAddress,
      listenPort: this.#settings.listenPort,
      pidFile: this.#path('pgbouncer.pid'),
      runAs: this.#runAs,
      ...(this.#onLog ? { onLog: this.#onLog } : {}),
      ...(this.#onUnexpectedExit ? { onUnexpectedExit: this.#onUnexpectedExit } : {}),
    });
    this.#child = child;
    await child.start();
    // it serves either way: a failure here only means its clients wait for the server instead
    await this.#inTurn(async () => {
      if (this.#refusing) await this.#runOnEveryDatabase(['DISABLE']);
    }).catch((error: Error) => this.#onLog?.(`WARNING refusing clients while the server is down failed: ${error.message}`));
  }

  /** SIGTERM (an immediate shutdown in PgBouncer 1.18), SIGKILL after a while. */
  async stop(): Promise<void> {
    await this.#child?.stop();
  }

  /** Synchronous, for `process.on('exit')`: nothing we started may outlive us. */
  killNow(): void {
    this.#child?.killNow();
  }

  /**
   * Replaces the settings and users and rewrites the files; `reload()` makes a running PgBouncer
   * use them. Listening settings are read only at start, so changing them needs a restart.
   */
  async updateConfig(settings: PgBouncerProcessSettings, users: UserSecret[]): Promise<void> {
    if (this.#child?.running) {
      const before = this.#settings;
      if (settings.listenAddress !== before.listenAddress || settings.listenPort !== before.listenPort || settings.unixSocketDir !== before.unixSocketDir) {
        throw new Error('listenAddress, listenPort and unixSocketDir take effect only when PgBouncer starts: stop() and start() it instead');
      }
    }
    this.#render(settings, users);
    this.#settings = settings;
    this.#users = users;
    await this.writeConfig();
  }

  /** Makes the running PgBouncer re-read its files; resolves once the new config is in force. */
  async reload(): Promise<void> {
    if (!this.#child?.running) throw new Error('PgBouncer is not running');
    if (!this.#admin) throw new Error('reload() needs the admin login: pass `admin` to PgBouncerProcess');
    const admin = this.#admin;
    await this.#inTurn(async () => {
      await runAdminCommand({ host: this.host, port: this.port, ...admin }, 'RELOAD');
      // an alias the reload added is refused like the others
      if (this.#refusing) await this.#runOnEveryDatabase(['DISABLE']);
    });
  }

  /** RELOAD when it runs; a PgBouncer being restarted after a crash reads the new files when it starts. */
  async reloadIfRunning(): Promise<void> {
    if (this.#child?.running) await this.reload();
  }

  /**
   * The server behind is down: PgBouncer would queue every client until it returns (minutes,
   * by query_wait_timeout). Instead each alias refuses new clients at once and drops the ones
   * it has, so callers get an error now (SQLSTATE 08P01) and can answer 503.
   */
  async refuseClients(): Promise<void> {
    this.#refusing = true;
    await this.#inTurn(async () => {
      if (this.#child?.running && this.#refusing) await this.#runOnEveryDatabase(['DISABLE', 'KILL', 'RESUME']);
    });
  }

  /** The server is back: clients are admitted again. */
  async admitClients(): Promise<void> {
    if (!this.#refusing) return;
    this.#refusing = false;
    await this.#inTurn(async () => {
      if (this.#child?.running && !this.#refusing) await this.#runOnEveryDatabase(['ENABLE']);
    });
  }

  #inTurn(work: () => Promise<void>): Promise<void> {
    const turn = this.#console.then(work);
    this.#console = turn.catch(() => undefined);
    return turn;
  }

  async #runOnEveryDatabase(verbs: Array<'DISABLE' | 'ENABLE' | 'KILL' | 'RESUME'>): Promise<void> {
    if (!this.#admin) throw new Error('refusing clients needs the admin login: pass `admin` to PgBouncerProcess');
    const commands: AdminCommand[] = [];
    for (const { alias } of this.#settings.databases) for (const verb of verbs) commands.push(databaseCommand(verb, alias));
    await runAdminCommands({ host: this.host, port: this.port, ...this.#admin }, commands);
  }

  #path(name: string): string {
    return join(this.#configDir, name);
  }

  #render(settings: PgBouncerProcessSettings, users: UserSecret[]): { ini: string; userlist: string } {
    return {
      ini: renderPgBouncerIni({
        ...settings,
        authFile: this.#path('userlist.txt'),
        logFile: this.#path('pgbouncer.log'),
        pidFile: this.#path('pgbouncer.pid'),
      }),
      userlist: renderUserlist(users),
    };
  }

  async #writeAtomically(path: string, text: string): Promise<void> {
    await writeAtomically(path, text, this.#runAs);
  }
}

/** Mode 0600, owned by `owner` when given; a reader never sees a half-written file. */
export async function writeAtomically(path: string, text: string, owner?: RunAs): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    if (owner) await chown(temporary, owner.uid, owner.gid);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
