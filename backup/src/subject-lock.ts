import { hostname } from 'node:os';
import pg from 'pg';
import { BackupErrors } from './errors.ts';
import { PLATFORM_SUBJECT } from './manifest.ts';

const LOCK_NOT_AVAILABLE = '55P03';

export interface SubjectLock {
  release(): Promise<void>;
}

/**
 * One backup or restore of a subject (a project, the platform) at a time across processes: the
 * nightly run of `launchdb up` beside an operator's `launchdb backup run`, two backup containers.
 * A session advisory lock on a connection of its own to the platform database — direct, never
 * PgBouncer, whose transaction pooling would hand the session to others. Advisory locks belong to
 * one database: every holder connects with the same admin URL, so they meet. A process that dies
 * ends its session, and the lock with it. The second caller waits `waitMs` at most (a killed
 * holder's session takes a moment to end), then is told who holds it.
 */
export async function lockSubject(adminUrl: string, subject: string, options: { waitMs?: number | undefined } = {}): Promise<SubjectLock> {
  const session = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5_000,
    application_name: `launchdb-backup ${process.pid}@${hostname()}`.slice(0, 63),
  });
  // a session lost mid-work (PostgreSQL restarting) has lost the lock too; the work fails on its own
  session.on('error', () => undefined);
  await session.connect();
  try {
    // lock_timeout bounds advisory lock waits too; the session is this lock's alone
    await session.query(`select set_config('lock_timeout', $1, false)`, [`${Math.max(1, options.waitMs ?? 2_000)}ms`]);
    try {
      await session.query(`select pg_advisory_lock(hashtext('launchdb:backup'), hashtext($1))`, [subject]);
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      throw BackupErrors.busy(subject === PLATFORM_SUBJECT ? 'the platform' : `project ${subject}`, await holderOf(session, subject));
    }
  } catch (error) {
    await session.end().catch(() => undefined);
    throw error;
  }
  return {
    // closing the session frees the lock even when an unlock could not be sent
    release: () => session.end().catch(() => undefined),
  };
}

/** `launchdb-backup 4711@host since 02:00:03 UTC`, or undefined when it has just gone. */
async function holderOf(session: pg.Client, subject: string): Promise<string | undefined> {
  const { rows } = await session.query<{ application_name: string; backend_start: Date }>(
    `select activity.application_name, activity.backend_start
       from pg_catalog.pg_locks lock join pg_catalog.pg_stat_activity activity using (pid)
      where lock.locktype = 'advisory' and lock.granted and lock.objsubid = 2
        and lock.classid = hashtext('launchdb:backup')::oid and lock.objid = hashtext($1)::oid
        and lock.database = (select oid from pg_catalog.pg_database where datname = current_database())`,
    [subject],
  );
  const holder = rows[0];
  if (!holder) return undefined;
  return `${holder.application_name || 'another session'} since ${holder.backend_start.toISOString().slice(11, 19)} UTC`;
}
