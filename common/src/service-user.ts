import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { userInfo } from 'node:os';

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL and PgBouncer refuse to run as root. When we are root, they run as the `postgres`
 * OS user, created if the machine has none; otherwise as ourselves (undefined).
 */
export function serviceUser(): RunAs | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('running as root, and could not create the postgres OS user that PostgreSQL must run as');
  return created;
}

/**
 * The service user must be able to traverse every folder above `path`. Root can reach
 * anything, so a folder under e.g. /root (mode 0700) looks fine to us and then fails inside
 * PostgreSQL with a bare "Permission denied": say so up front instead.
 */
export function unreachableAncestor(path: string, user: RunAs): string | undefined {
  const parts = resolve(path).split(sep).filter(Boolean);
  for (let depth = 0; depth < parts.length; depth += 1) {
    const folder = sep + parts.slice(0, depth).join(sep);
    let info;
    try {
      info = statSync(folder);
    } catch {
      return undefined;
    }
    const traversable =
      info.uid === user.uid ? (info.mode & 0o100) !== 0 : info.gid === user.gid ? (info.mode & 0o010) !== 0 : (info.mode & 0o001) !== 0;
    if (!traversable) return folder;
  }
  return undefined;
}
