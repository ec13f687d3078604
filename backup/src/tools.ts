import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BackupErrors } from './errors.ts';

const run = promisify(execFile);

export type PostgresTool = 'pg_dump' | 'pg_restore' | 'psql';

/** Debian's client binaries (postgresql-client), then the versioned folder, then PATH. */
const SEARCH = ['/usr/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/local/bin'];

export interface PostgresTools {
  pgDump: string;
  pgRestore: string;
  psql: string;
  /** `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` */
  version: string;
}

export function findTool(name: string, folders: string[] = SEARCH): string | undefined {
  const path = [...folders, ...(process.env.PATH ?? '').split(':').filter(Boolean)];
  for (const folder of path) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next folder
    }
  }
  return undefined;
}

let found: Promise<PostgresTools> | undefined;

/** The client tools every backup and restore runs; throws one line saying how to install them. */
export function postgresTools(): Promise<PostgresTools> {
  found ??= (async () => {
    const pgDump = findTool('pg_dump');
    const pgRestore = findTool('pg_restore');
    const psql = findTool('psql');
    if (!pgDump) throw BackupErrors.toolMissing('pg_dump');
    if (!pgRestore) throw BackupErrors.toolMissing('pg_restore');
    if (!psql) throw BackupErrors.toolMissing('psql');
    const { stdout } = await run(pgDump, ['--version']);
    const major = /\) (\d+)/.exec(stdout)?.[1];
    if (major && Number(major) < 15) throw BackupErrors.toolMissing(`pg_dump (found ${stdout.trim()}, too old)`);
    return { pgDump, pgRestore, psql, version: stdout.trim() };
  })();
  found.catch(() => {
    found = undefined;
  });
  return found;
}

/** The line `npm start` prints when backups cannot run here, or undefined when they can. */
export async function backupToolsProblem(): Promise<string | undefined> {
  try {
    await postgresTools();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** libpq settings for a child process: the password travels in its environment, never on its command line. */
export function libpqEnvironment(connectionString: string): NodeJS.ProcessEnv {
  const url = new URL(connectionString);
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGAPPNAME: 'launchdb-backup',
    PGCONNECT_TIMEOUT: '10',
  };
  if (url.password) environment.PGPASSWORD = decodeURIComponent(url.password);
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) environment.PGSSLMODE = sslmode;
  return environment;
}
