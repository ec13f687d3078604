import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunningPlatform, type RunningPlatform } from './testing/running-platform.ts';

/** `launchdb up` answers the dashboard on its one port, beside the services, without shadowing them. */
describe('the dashboard on the platform port', () => {
  let running: RunningPlatform;

  beforeAll(async () => {
    running = await startRunningPlatform();
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('redirects / to the console', async () => {
    const response = await fetch(`${running.url}/`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves the console and Haven shells and their assets', async () => {
    for (const path of ['/console/', '/app/some-project/']) {
      const response = await fetch(`${running.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      const script = html.match(/\/_dashboard\/immutable\/[^"']+\.js/)?.[0];
      expect(script).toBeDefined();
      const asset = await fetch(`${running.url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
  });

  it('leaves the platform API and the services where they were', async () => {
    const health = await fetch(`${running.url}/api/health`);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    const unknown = await fetch(`${running.url}/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
