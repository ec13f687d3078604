import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, serviceUser } from '@launchdb/common';
import { PostgresCluster } from './postgres-cluster.ts';

export interface ThrowawayPostgres {
  cluster: PostgresCluster;
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** Stops the server and removes its folder. */
  stop: () => Promise<void>;
}

/**
 * A PostgreSQL 15 for tests and benchmarks: a temporary folder, a random free port, a random
 * superuser password; `stop()` leaves nothing behind, and neither does an exit without it.
 */
export async function startThrowawayPostgres(prefix: string, onLog?: (line: string) => void): Promise<ThrowawayPostgres> {
  const root = await mkdtemp(join(tmpdir(), `${prefix}-`));
  // the postgres OS user (when we are root) must be able to reach the cluster folder
  await chmod(root, 0o755);
  const cluster = new PostgresCluster({
    dataDir: join(root, 'pg'),
    port: await findFreePort(),
    superuser: 'postgres',
    superuserPassword: randomBytes(12).toString('hex'),
    runAs: serviceUser(),
    ...(onLog ? { onLog } : {}),
  });
  const killOnExit = (): void => cluster.killNow();
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    await cluster.initialise();
    await cluster.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { cluster, url: cluster.connectionString(), stop };
}
