import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian installs PgBouncer in /usr/sbin, which is not on a normal user's PATH. */
const SBIN_FOLDERS = ['/usr/sbin', '/usr/local/sbin'];

/** The path of an executable `pgbouncer`: the first on PATH, else in the sbin folders; undefined if none. */
export function findPgBouncerBinary(searchPath: string = process.env.PATH ?? '', extraFolders: string[] = SBIN_FOLDERS): string | undefined {
  const folders = [...searchPath.split(delimiter).filter(Boolean), ...extraFolders];
  for (const folder of folders) {
    const candidate = join(folder, 'pgbouncer');
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
