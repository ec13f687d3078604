import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readS3AccessKeySecret } from '@launchdb/common/s3-access-keys';
import type { PlatformApi } from '../../app.ts';
import { ProjectRecords } from '../../domain/projects/project-records.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../domain/projects/projects.test-support.ts';
import { startOperatorApi } from './operator-api.test-support.ts';

describe('/api/projects/:id/s3-access-keys', () => {
  let platform: TestPlatform;
  let api: PlatformApi;
  let token: string;
  const projectId = randomProjectId();

  beforeAll(async () => {
    platform = await createTestPlatform();
    platform.created.add(projectId);
    await new ProjectRecords(platform.db).insert({ id: projectId, name: 'S3 keys', template: null });
    ({ api, token } = await startOperatorApi(platform, { publicUrl: 'https://launchdb.example.com/' }));
  });
  afterAll(async () => {
    await api?.close();
    await platform?.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, auth = true) =>
    api.inject({ method, url, ...(payload ? { payload } : {}), headers: auth ? { authorization: `Bearer ${token}` } : {} });

  it('creates a key whose secret is shown once, lists keys without it, and revokes one', async () => {
    const created = await call('POST', `/api/projects/${projectId}/s3-access-keys`, { description: 'rclone backup' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const key = created.json();
    expect(key).toMatchObject({ access_key_id: expect.stringMatching(/^[0-9a-f]{32}$/), secret_access_key: expect.stringMatching(/^[0-9a-f]{64}$/), description: 'rclone backup' });
    expect(await readS3AccessKeySecret(platform.db, platform.secrets, projectId, key.access_key_id)).toBe(key.secret_access_key);

    const listed = await call('GET', `/api/projects/${projectId}/s3-access-keys`);
    expect(listed.json()).toEqual([{ access_key_id: key.access_key_id, description: 'rclone backup', created_at: expect.stringMatching(/Z$/) }]);
    expect(listed.body).not.toContain(key.secret_access_key);

    expect((await call('DELETE', `/api/projects/${projectId}/s3-access-keys/${key.access_key_id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/projects/${projectId}/s3-access-keys`)).json()).toEqual([]);
    expect(await readS3AccessKeySecret(platform.db, platform.secrets, projectId, key.access_key_id)).toBeUndefined();
    expect((await call('DELETE', `/api/projects/${projectId}/s3-access-keys/${key.access_key_id}`)).statusCode).toBe(404);
  });

  it('is for operators only, and for projects that exist', async () => {
    expect((await call('POST', `/api/projects/${projectId}/s3-access-keys`, {}, false)).statusCode).toBe(401);
    expect((await call('POST', `/api/projects/${randomProjectId()}/s3-access-keys`, {})).statusCode).toBe(404);
  });
});
