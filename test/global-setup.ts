import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleDataApi } from '@launchdb/data-api/build';
import { ensureDashboardBuild } from '@launchdb/dashboard/server';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL 15 (database `postgres`). */
    postgresUrl: string;
    /** The data API as it is deployed (dist/main.js bundle), built once per run: what postgrest-manager spawns. */
    dataApiEntry: string;
  }
}

/**
 * One throwaway PostgreSQL per test run (random free port, temporary folder, removed
 * afterwards), one build of the data API bundle and an up-to-date dashboard build.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundleDir = await mkdtemp(join(tmpdir(), 'launchdb-test-data-api-'));
  // the dashboard is built once here, so platforms the tests start in parallel never race to build it
  const [postgres] = await Promise.all([startThrowawayPostgres('launchdb-test-pg'), bundleDataApi(bundleDir), ensureDashboardBuild()]);
  project.provide('postgresUrl', postgres.url);
  project.provide('dataApiEntry', join(bundleDir, 'main.js'));
  return async () => {
    await postgres.stop();
    await rm(bundleDir, { recursive: true, force: true });
  };
}
