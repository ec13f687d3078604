import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parsePrometheusText, sampleValue } from '@launchdb/testkit/prometheus-text';
import { PostgrestManagerClient } from './client.ts';
import { buildPostgrestManager, type PostgrestManager } from './postgrest-manager.ts';
import { pollUntil } from './timers.ts';
import { createTestPlatform, testLogger, type TestPlatform, type TestProject } from './testing/test-platform.ts';

const INTERNAL_KEY = 'an-internal-key-of-at-least-32-characters';

describe('postgrest-manager metrics', () => {
  let platform: TestPlatform;
  let project: TestProject;
  let stateDir: string;
  let manager: PostgrestManager;
  let baseUrl: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
    stateDir = await mkdtemp(join(tmpdir(), 'postgrest-manager-metrics-'));
    manager = await buildPostgrestManager({
      db: platform.db,
      secrets: platform.secrets,
      logger: testLogger(),
      internalKey: INTERNAL_KEY,
      postgres: platform.postgres,
      driver: { kind: 'process', entry: inject('dataApiEntry'), stateDir, stopTimeoutMs: 3_000 },
      idleSeconds: 60,
      dataApiPoolSize: 2,
      // long enough for a scrape to find it crashed before it is back
      fleet: { restartBackoff: { initialMs: 1_000 } },
    });
    await manager.start();
    baseUrl = await manager.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await manager?.close();
    await platform?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const scrape = async () => {
    // no internal key: Prometheus has none, and Caddy never routes to this port
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parsePrometheusText(await response.text());
  };

  it('counts data APIs awake and crashed, and the restarts, without the internal key', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'launchdb_data_apis', { state: 'awake', service: 'postgrest-manager' })).toBe(0);
    expect(sampleValue(before, 'launchdb_data_api_restarts_total')).toBe(0);
    expect(sampleValue(before, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    await new PostgrestManagerClient({ baseUrl, internalKey: INTERNAL_KEY }).spawn(project.id);
    expect(sampleValue(await scrape(), 'launchdb_data_apis', { state: 'awake' })).toBe(1);

    process.kill(manager.fleet.current(project.id)!.pid!, 'SIGKILL');
    expect(await pollUntil(async () => sampleValue(await scrape(), 'launchdb_data_apis', { state: 'crashed' }) === 1, 1_000, 10)).toBe(true);
    expect(
      await pollUntil(async () => {
        const now = await scrape();
        return sampleValue(now, 'launchdb_data_api_restarts_total') === 1 && sampleValue(now, 'launchdb_data_apis', { state: 'awake' }) === 1;
      }, 10_000, 50),
    ).toBe(true);

    await manager.fleet.stop(project.id);
    const after = await scrape();
    expect(sampleValue(after, 'launchdb_data_apis', { state: 'awake' })).toBe(0);
    // a counter never goes back, even once the project's data API is gone
    expect(sampleValue(after, 'launchdb_data_api_restarts_total')).toBe(1);
  });

  it('still wants the key for everything else', async () => {
    expect((await fetch(`${baseUrl}/internal/postgrest`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/metrics`, { method: 'POST' })).status).toBe(401);
  });
});
