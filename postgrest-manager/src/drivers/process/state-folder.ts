import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a manager records about each data API process it starts, so that the next manager on
 * the same folder can adopt it. Never a secret: the settings appear only as their hash.
 */
export interface ProcessRecord {
  version: 1;
  instanceId: string;
  projectId: string;
  pid: number;
  /** /proc's start time of the pid: with the pid, the process's identity. */
  processStartTime: string | null;
  entry: string;
  url: string;
  adminUrl: string;
  settingsHash: string;
  startedAt: string;
  logFile: string;
}

/** `<folder>/<project>-<instance>.json` per process, `<folder>/logs/<project>-<instance>.log` for its output. */
export class StateFolder {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async prepare(): Promise<void> {
    await mkdir(this.logsPath, { recursive: true, mode: 0o700 });
  }

  get logsPath(): string {
    return join(this.path, 'logs');
  }

  logFile(projectId: string, instanceId: string): string {
    return join(this.logsPath, `${projectId}-${instanceId}.log`);
  }

  /** Written to a temporary name and renamed: a reader never sees half a record. */
  async write(record: ProcessRecord): Promise<void> {
    const file = this.#recordFile(record);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  }

  /** Every readable record; unreadable or foreign files are removed, as no data API can be found from them. */
  async list(): Promise<ProcessRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: ProcessRecord[] = [];
    for (const name of names.filter((file) => file.endsWith('.json'))) {
      const file = join(this.path, name);
      try {
        const record = JSON.parse(await readFile(file, 'utf8')) as ProcessRecord;
        if (record.version === 1 && typeof record.pid === 'number' && typeof record.projectId === 'string') records.push(record);
        else await rm(file, { force: true });
      } catch {
        await rm(file, { force: true });
      }
    }
    return records;
  }

  /** Removes the record and its log file. */
  async remove(record: ProcessRecord): Promise<void> {
    await rm(this.#recordFile(record), { force: true });
    await rm(record.logFile, { force: true });
  }

  removeNow(record: ProcessRecord): void {
    rmSync(this.#recordFile(record), { force: true });
    rmSync(record.logFile, { force: true });
  }

  #recordFile(record: Pick<ProcessRecord, 'projectId' | 'instanceId'>): string {
    return join(this.path, `${record.projectId}-${record.instanceId}.json`);
  }
}
