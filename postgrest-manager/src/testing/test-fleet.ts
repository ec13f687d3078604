import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { Logger } from '@launchdb/common';
import { DataApiFleet, type DataApiFleetOptions } from '../domain/data-api-fleet.ts';
import { ProcessDriver } from '../drivers/process/process-driver.ts';
import { isRunning } from '../drivers/process/proc.ts';
import { pollUntil } from '../timers.ts';
import { createTestPlatform, testLogger, type TestPlatform } from './test-platform.ts';

/** Fleets on the process driver running the real data API bundle, all closed by `close()`. */
export class TestFleets {
  readonly #platform: TestPlatform;
  readonly #logger: Logger;
  readonly #fleets: DataApiFleet[] = [];
  readonly #folders: string[] = [];

  constructor(platform: TestPlatform, logger: Logger) {
    this.#platform = platform;
    this.#logger = logger;
    // a test that dies half-way must not leave data APIs behind
    process.once('exit', () => {
      for (const fleet of this.#fleets) fleet.killAllNow();
    });
  }

  async stateDir(): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'postgrest-manager-test-'));
    this.#folders.push(folder);
    return folder;
  }

  driver(stateDir: string, stopTimeoutMs = 3_000): ProcessDriver {
    return new ProcessDriver({ entry: inject('dataApiEntry'), stateDir, logger: this.#logger, stopTimeoutMs });
  }

  /** A started fleet. */
  async fleet(stateDir: string, options: Partial<DataApiFleetOptions> = {}, stopTimeoutMs?: number): Promise<DataApiFleet> {
    const fleet = new DataApiFleet({ driver: this.driver(stateDir, stopTimeoutMs), settings: this.#platform.settings(), logger: this.#logger, ...options });
    this.#fleets.push(fleet);
    await fleet.start();
    return fleet;
  }

  /** Closes every fleet and removes every state folder made so far. */
  async close(): Promise<void> {
    const fleets = this.#fleets.splice(0);
    await Promise.all(fleets.map((fleet) => fleet.close()));
    for (const fleet of fleets) fleet.killAllNow();
    await Promise.all(this.#folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
  }
}

export async function getNotes(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/notes?select=id,body&order=id`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

export const NOTES = [
  { id: 1, body: 'first' },
  { id: 2, body: 'second' },
];

/** Resolves once the process is gone (reaped or never ours); false after the timeout. */
export function processGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  return pollUntil(() => !isRunning(pid), timeoutMs, 25);
}

export interface FleetTestbed {
  platform: TestPlatform;
  fleets: TestFleets;
}

/**
 * A platform with projects and fleets over it, set up once for a `describe` and torn down
 * after it; with `cleanEachTest`, every test's fleets are closed and its projects dropped.
 */
export function fleetTestbed(options: { cleanEachTest: boolean }): FleetTestbed {
  const testbed = {} as FleetTestbed;
  beforeAll(async () => {
    testbed.platform = await createTestPlatform();
    testbed.fleets = new TestFleets(testbed.platform, testLogger());
  });
  if (options.cleanEachTest) {
    afterEach(async () => {
      await testbed.fleets.close();
      await testbed.platform.dropProjects();
    });
  }
  afterAll(async () => {
    await testbed.fleets?.close();
    await testbed.platform?.close();
  });
  return testbed;
}
