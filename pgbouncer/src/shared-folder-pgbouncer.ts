import { chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseAddress } from '@launchdb/common/projects';
import type { RunAs } from '@launchdb/common/service-user';
import { runAdminCommand, type AdminConsoleLogin } from './admin-console.ts';
import { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
import { writeAtomically, type PgBouncerProcessSettings } from './pgbouncer-process.ts';
import type { UserSecret } from './settings.ts';

export interface SharedFolderPgBouncerOptions {
  /**
   * The folder holding pgbouncer.ini and userlist.txt, mounted at this same path in PgBouncer's
   * container: the ini names the userlist by its absolute path.
   */
  configDir: string;
  /** Where PgBouncer answers, as seen from here (its compose service and port). */
  address: DatabaseAddress;
  /** Admin console login for RELOAD: a user in `settings.adminUsers` and in the userlist. */
  admin: { user: string; password: string };
  /**
   * Owner of the files. Compose runs both containers as uid 1000, so ours will do; when we are
   * root, the folder's owner by default (`launchdb up --split` gives it to PgBouncer's user).
   */
  owner?: RunAs;
}

/** Network errors meaning nothing listens there now (a stopped or restarting container). */
const NOT_RUNNING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * A PgBouncer in a container of its own (docker-compose.yml's `pgbouncer`) configured as
 * `launchdb up` configures its child process: we write its files into a volume both containers
 * mount, and RELOAD it over the network on its admin console. The files are mode 0600, so its
 * container runs as the same user id as ours (the Dockerfile gives both uid 1000).
 */
export class SharedFolderPgBouncer {
  readonly #options: SharedFolderPgBouncerOptions;

  constructor(options: SharedFolderPgBouncerOptions) {
    this.#options = options;
  }

  get host(): string {
    return this.#options.address.host;
  }

  get port(): number {
    return this.#options.address.port;
  }

  /** Its admin console, as /metrics reads it (SHOW POOLS). */
  get adminLogin(): AdminConsoleLogin {
    return { ...this.#options.address, ...this.#options.admin };
  }

  get iniPath(): string {
    return join(this.#options.configDir, 'pgbouncer.ini');
  }

  async updateConfig(settings: PgBouncerProcessSettings, users: UserSecret[]): Promise<void> {
    const { configDir } = this.#options;
    // in the container PgBouncer runs in the foreground: its log is stderr, and it needs no pid file
    const ini = renderPgBouncerIni({ ...settings, authFile: join(configDir, 'userlist.txt'), logFile: '', pidFile: '' });
    const userlist = renderUserlist(users);
    await mkdir(configDir, { recursive: true, mode: 0o700 });
    const owner = this.#options.owner ?? (await ownerWhenRoot(configDir));
    if (owner) await chown(configDir, owner.uid, owner.gid);
    // the userlist first: a PgBouncer starting between the two writes never meets an alias without its users
    await writeAtomically(join(configDir, 'userlist.txt'), userlist, owner);
    await writeAtomically(this.iniPath, ini, owner);
  }

  async reloadIfRunning(): Promise<void> {
    try {
      await runAdminCommand({ host: this.host, port: this.port, ...this.#options.admin }, 'RELOAD');
    } catch (error) {
      if (NOT_RUNNING.has((error as NodeJS.ErrnoException).code ?? '')) return;
      throw error;
    }
  }
}

/** A root-owned 0600 file is unreadable to a PgBouncer that may not run as root. */
async function ownerWhenRoot(folder: string): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { uid, gid } = await stat(folder);
  return uid === 0 ? undefined : { uid, gid };
}

/**
 * What PgBouncer serves before any project, wherever it runs: the platform database to the
 * platform role, which is also the admin that reloads it and reads its statistics.
 */
export function platformPoolSettings(options: {
  listenAddress: string;
  listenPort: number;
  platformDatabase: string;
  postgres: DatabaseAddress;
  platformRole: string;
}): PgBouncerProcessSettings {
  return {
    listenAddress: options.listenAddress,
    listenPort: options.listenPort,
    unixSocketDir: '',
    adminUsers: [options.platformRole],
    statsUsers: [options.platformRole],
    databases: [{ alias: options.platformDatabase, host: options.postgres.host, port: options.postgres.port, dbname: options.platformDatabase }],
    maxClientConn: 1000,
    defaultPoolSize: 20,
  };
}
