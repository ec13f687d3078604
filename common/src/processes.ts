/**
 * Whether a process with this pid exists. One that belongs to another OS user (EPERM) counts:
 * the PostgreSQL or PgBouncer we run as the service user, a backup run by another account.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
