import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildPostgrestManager, type PostgrestManager, type PostgrestManagerOptions } from '../postgrest-manager.ts';
import { testLogger, type TestPlatform } from './test-platform.ts';

export const TEST_INTERNAL_KEY = 'an-internal-key-of-at-least-32-characters';

export interface TestManager {
  manager: PostgrestManager;
  /** Where its internal HTTP API answers. */
  baseUrl: string;
  /** Stops every data API and removes their state folder. */
  close(): Promise<void>;
}

/**
 * For tests: a started postgrest-manager over a test platform, its data APIs child processes
 * of this run's data-api entry, its HTTP API listening on a free port.
 */
export async function startTestManager(platform: TestPlatform, options: Pick<PostgrestManagerOptions, 'fleet'> = {}): Promise<TestManager> {
  const stateDir = await mkdtemp(join(tmpdir(), 'postgrest-manager-test-'));
  let manager: PostgrestManager | undefined;
  try {
    manager = await buildPostgrestManager({
      db: platform.db,
      secrets: platform.secrets,
      logger: testLogger(),
      internalKey: TEST_INTERNAL_KEY,
      postgres: platform.postgres,
      driver: { kind: 'process', entry: inject('dataApiEntry'), stateDir, stopTimeoutMs: 3_000 },
      idleSeconds: 60,
      dataApiPoolSize: 2,
      ...options,
    });
    await manager.start();
    const baseUrl = await manager.listen({ host: '127.0.0.1', port: 0 });
    const started = manager;
    return {
      manager,
      baseUrl,
      close: async () => {
        await started.close();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await manager?.close();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
