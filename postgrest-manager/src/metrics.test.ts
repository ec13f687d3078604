import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '@launchdb/testkit/prometheus-text';
import { PostgrestManagerClient } from './client.ts';
import type { PostgrestManager } from './postgrest-manager.ts';
import { pollUntil } from './timers.ts';
import { startTestManager, TEST_INTERNAL_KEY as INTERNAL_KEY, type TestManager } from './testing/test-manager.ts';
import { createTestPlatform, type TestPlatform, type TestProject } from './testing/test-platform.ts';

describe('postgrest-manager metrics', () => {
  let platform: TestPlatform;
  let project: TestProject;
  let running: TestManager;
  let manager: PostgrestManager;
  let baseUrl: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
    // long enough for a scrape to find it crashed before it is back
    running = await startTestManager(platform, { fleet: { restartBackoff: { initialMs: 1_000 } } });
    ({ manager, baseUrl } = running);
  });
  afterAll(async () => {
    await running?.close();
    await platform?.close();
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
