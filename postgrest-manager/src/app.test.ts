import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, LaunchDbError } from '@launchdb/common';
import { PostgrestManagerClient } from './client.ts';
import type { PostgrestManager } from './postgrest-manager.ts';
import { pollUntil } from './timers.ts';
import { getNotes, NOTES, processGone } from './testing/test-fleet.ts';
import { startTestManager, TEST_INTERNAL_KEY as INTERNAL_KEY, type TestManager } from './testing/test-manager.ts';
import { createTestPlatform, type TestPlatform, type TestProject } from './testing/test-platform.ts';

describe('the postgrest-manager HTTP API, through its client', () => {
  let platform: TestPlatform;
  let project: TestProject;
  let running: TestManager;
  let manager: PostgrestManager;
  let baseUrl: string;
  let client: PostgrestManagerClient;

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
    running = await startTestManager(platform);
    ({ manager, baseUrl } = running);
    client = new PostgrestManagerClient({ baseUrl, internalKey: INTERNAL_KEY });
  });
  afterAll(async () => {
    await running?.close();
    await platform?.close();
  });

  const call = (method: string, path: string, options: { key?: string | undefined; body?: string; type?: string } = {}) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.key !== undefined ? { 'x-internal-key': options.key } : {}),
        ...(options.type ? { 'content-type': options.type } : {}),
      },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });

  it('answers nothing without the internal key', async () => {
    for (const [method, path] of [
      ['GET', '/internal/postgrest'],
      ['POST', `/internal/postgrest/${project.id}/wake`],
      ['DELETE', `/internal/postgrest/${project.id}`],
      ['GET', '/nothing-here'],
    ] as const) {
      for (const key of [undefined, '', 'wrong', `${INTERNAL_KEY}x`, INTERNAL_KEY.slice(0, -1)]) {
        const response = await call(method, path, { key });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
    }
    const wrong = new PostgrestManagerClient({ baseUrl, internalKey: 'not-the-key-but-long-enough-to-look-real' });
    await expect(wrong.spawn(project.id)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await expect(wrong.list()).rejects.toBeInstanceOf(LaunchDbError);
    await expect(wrong.locate(project.id)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('spawns, lists, shows, locates, reloads and stops a data API', async () => {
    await client.spawn(project.id);
    const [listed] = (await client.list()).filter((one) => one.projectId === project.id);
    expect(listed).toEqual({
      projectId: project.id,
      driver: 'process',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      state: 'running',
      pid: expect.any(Number),
      containerId: null,
      restarts: 0,
      lastRequestAt: null,
      startedAt: expect.any(String),
      lastError: null,
      nextAttemptAt: null,
    });
    const details = await client.status(project.id);
    expect(details).toMatchObject({ projectId: project.id, state: 'running', pid: listed!.pid, recentLogs: expect.any(Array) });

    const located = await client.locate(project.id);
    expect(located).toEqual({ state: 'ready', url: listed!.url });
    expect(await getNotes(listed!.url!, await project.token())).toEqual({ status: 200, body: NOTES });
    expect((await client.status(project.id))!.lastRequestAt).not.toBeNull();

    const secret = await project.rotateJwtSecret();
    await client.reload(project.id);
    const reloaded = (await client.status(project.id))!;
    expect(reloaded.pid).not.toBe(listed!.pid);
    expect((await getNotes(reloaded.url!, await project.token('authenticated', secret))).status).toBe(200);

    await client.stop(project.id);
    expect(await processGone(reloaded.pid!, 1_000)).toBe(true);
    expect((await client.list()).filter((one) => one.projectId === project.id)).toEqual([]);
    // still a project: it sleeps until its next request
    expect(await client.status(project.id)).toMatchObject({ state: 'sleeping', pid: null });
    await client.stop(project.id);
  });

  it('wakes a sleeping data API, and says 503 with Retry-After while one restarts', async () => {
    const located = await client.locate(project.id);
    expect(located.state).toBe('ready');
    const { pid } = (await client.status(project.id))!;
    process.kill(pid!, 'SIGKILL');
    expect(await pollUntil(() => manager.fleet.current(project.id)?.state !== 'running', 1_000, 5)).toBe(true);

    const response = await call('POST', `/internal/postgrest/${project.id}/wake`, { key: INTERNAL_KEY });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ error: { code: 'data_api_unavailable', message: expect.stringContaining(project.id) } });
    expect(await client.locate(project.id)).toMatchObject({ state: 'unavailable', retryAfterSeconds: 1 });
    expect(await pollUntil(async () => (await client.locate(project.id)).state === 'ready', 5_000, 50)).toBe(true);
    expect((await client.status(project.id))!.restarts).toBe(1);
  });

  it('answers unknown projects and bad requests with their error codes', async () => {
    expect(await client.locate('tnosuchproject')).toEqual({ state: 'unknown' });
    expect(await client.locate('Not-A-Project')).toEqual({ state: 'unknown' });
    expect(await client.status('tnosuchproject')).toBeUndefined();
    await expect(client.spawn('tnosuchproject')).rejects.toMatchObject({ code: 'project_not_found', status: 404 });
    await expect(client.reload('tnosuchproject')).rejects.toMatchObject({ code: 'project_not_found', status: 404 });
    await client.stop('tnosuchproject');

    const bad = async (body: string, type = 'application/json') => {
      const response = await call('POST', '/internal/postgrest/spawn', { key: INTERNAL_KEY, body, type });
      return { status: response.status, body: await response.json() };
    };
    expect(await bad('{"projectId":"UPPER"}')).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await bad('{"projectId":"abc","extra":1}')).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await bad('{}')).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await bad('{"projectId":')).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect(await bad('projectId=abc', 'text/plain')).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const missing = await call('GET', '/internal/nothing', { key: INTERNAL_KEY });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('turns a manager that does not answer into typed errors, and locate into unavailable', async () => {
    const nowhere = new PostgrestManagerClient({ baseUrl: `http://127.0.0.1:${await findFreePort()}`, internalKey: INTERNAL_KEY, timeoutMs: 1_000 });
    await expect(nowhere.spawn(project.id)).rejects.toMatchObject({ code: 'postgrest_manager_unavailable', status: 503 });
    await expect(nowhere.list()).rejects.toMatchObject({ code: 'postgrest_manager_unavailable' });
    expect(await nowhere.locate(project.id)).toMatchObject({ state: 'unavailable', retryAfterSeconds: 1 });
  });
});
