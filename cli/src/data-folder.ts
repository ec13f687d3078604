import { constants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StartupError } from '@launchdb/common';

const MARKER = 'launchdb.json';
const FORMAT = 1;

/**
 * The folder that holds everything `launchdb up` keeps across restarts. It is adopted only when
 * it is empty or carries our marker: a folder holding anything else is never written to.
 */
export class DataFolder {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static async open(path: string): Promise<{ folder: DataFolder; fresh: boolean }> {
    const absolute = resolve(path);
    const folder = new DataFolder(absolute);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StartupError(`cannot use the data folder ${absolute}: ${(error as Error).message}`);
      await mkdir(absolute, { recursive: true, mode: 0o711 }).catch((cause: Error) => {
        throw new StartupError(`cannot create the data folder ${absolute}: ${cause.message}`);
      });
      await folder.#writeMarker();
      return { folder, fresh: true };
    }
    if (!info.isDirectory()) throw new StartupError(`the data folder ${absolute} is not a folder`);
    try {
      await access(absolute, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch {
      throw new StartupError(`the data folder ${absolute} is not readable and writable by this user`);
    }
    let entries: string[];
    try {
      entries = await readdir(absolute);
    } catch (error) {
      throw new StartupError(`the data folder ${absolute} cannot be read: ${(error as Error).message}`);
    }
    if (entries.length === 0) {
      await folder.#writeMarker();
      return { folder, fresh: true };
    }
    if (!entries.includes(MARKER)) {
      throw new StartupError(`the data folder ${absolute} holds files that are not LaunchDB's; choose an empty or new folder with LAUNCHDB_DATA_DIR`);
    }
    let marker: { format?: unknown };
    try {
      marker = JSON.parse(await readFile(join(absolute, MARKER), 'utf8')) as { format?: unknown };
    } catch (error) {
      throw new StartupError(`the data folder ${absolute} has an unreadable ${MARKER}: ${(error as Error).message}`);
    }
    if (marker.format !== FORMAT) {
      throw new StartupError(`the data folder ${absolute} was written by another LaunchDB version (format ${String(marker.format)}, expected ${FORMAT})`);
    }
    // The postgres OS user must be able to traverse into its own cluster folder inside.
    await chmod(absolute, 0o711).catch(() => undefined);
    return { folder, fresh: false };
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  async exists(...parts: string[]): Promise<boolean> {
    try {
      await stat(this.file(...parts));
      return true;
    } catch {
      return false;
    }
  }

  async readSecret(name: string): Promise<string | undefined> {
    try {
      return (await readFile(this.file(name), 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StartupError(`cannot read ${this.file(name)}: ${(error as Error).message}`);
    }
  }

  /** Written 0600 under a temporary name and renamed, so a crash never leaves half a key. */
  async writeSecret(name: string, value: string): Promise<void> {
    const target = this.file(name);
    const temporary = `${target}.tmp-${process.pid}`;
    await writeFile(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temporary, target);
  }

  async #writeMarker(): Promise<void> {
    await writeFile(this.file(MARKER), `${JSON.stringify({ format: FORMAT, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o644 });
    await chmod(this.path, 0o711);
  }
}
