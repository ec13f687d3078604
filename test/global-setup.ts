import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../cli/src/embedded/throwaway-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL 15 (database `postgres`). */
    postgresUrl: string;
  }
}

/** One throwaway PostgreSQL per test run: random free port, temporary folder, removed afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startThrowawayPostgres('launchdb-test-pg');
  project.provide('postgresUrl', postgres.url);
  return postgres.stop;
}
