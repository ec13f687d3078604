import { execFileSync } from 'node:child_process';
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
