import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { findFreePort, serviceUser } from '@launchdb/common';
import { PostgresCluster } from '../cli/src/embedded/postgres-cluster.ts';


declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL 15 (database `postgres`). */
    postgresUrl: string;
  }
}

/** One throwaway PostgreSQL per test run: random free port, temporary folder, removed afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'launchdb-test-pg-'));
  // the postgres OS user (when we are root) must be able to reach the cluster folder
  await chmod(root, 0o755);
  const cluster = new PostgresCluster({
    dataDir: join(root, 'pg'),
    port: await findFreePort(),
    superuser: 'postgres',
    superuserPassword: randomBytes(12).toString('hex'),
    runAs: serviceUser(),
  });
  await cluster.initialise();
  await cluster.start();
  project.provide('postgresUrl', cluster.connectionString());
  return async () => {
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  };
}
