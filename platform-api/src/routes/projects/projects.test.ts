import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectSecret, readProjectSecret, verifyHs256 } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../domain/projects/projects.test-support.ts';
import type { PlatformApi } from '../../app.ts';
import { startOperatorApi } from './operator-api.test-support.ts';

const PUBLIC_URL = 'https://launchdb.example.com/';

describe('/api/projects', () => {
  let platform: TestPlatform;
  let api: PlatformApi;
  let token: string;
  const [main, failing, background] = [randomProjectId(), randomProjectId(), randomProjectId()];

  const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: { payload?: unknown; headers?: Record<string, string>; auth?: boolean } = {}) =>
    api.inject({
      method,
      url,
      ...(options.payload === undefined ? {} : { payload: options.payload as object }),
      headers: { ...(options.auth === false ? {} : { authorization: `Bearer ${token}` }), ...options.headers },
    });

  beforeAll(async () => {
    platform = await createTestPlatform();
    for (const id of [main, failing, background]) platform.created.add(id);
    ({ api, token } = await startOperatorApi(platform, { publicUrl: PUBLIC_URL }));
  });
  afterAll(async () => {
    await api?.close();
    await platform?.close();
  });

  it('answers 401 without an operator token, before reading the body', async () => {
    const responses = await Promise.all([
      request('GET', '/api/projects', { auth: false }),
      request('GET', `/api/projects/${main}`, { auth: false }),
      request('POST', '/api/projects', { auth: false, payload: { name: 'x'.repeat(500) } }),
      request('POST', `/api/projects/${main}/migrations`, { auth: false, payload: { name: 'a', sql: 'select 1' } }),
      request('DELETE', `/api/projects/${main}?confirm=${main}`, { auth: false }),
      request('GET', '/api/projects', { headers: { authorization: 'Bearer not-a-token' } }),
    ]);
    expect(responses.map((response) => response.statusCode)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(responses[0]!.json().error.code).toBe('unauthorized');
  });

  it('creates a project and answers 201 once it is active, with its URLs and keys', async () => {
    const response = await request('POST', '/api/projects', { payload: { id: main, name: 'Main' } });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/api/projects/${main}`);
    const body = response.json();
    expect(body).toEqual({
      id: main,
      name: 'Main',
      status: 'active',
      template: null,
      failed_step: null,
      error: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      database: `proj_${main}`,
      urls: {
        rest: `https://launchdb.example.com/db/${main}`,
        auth: `https://launchdb.example.com/auth/${main}`,
        storage: `https://launchdb.example.com/storage/${main}`,
        supabase: `https://launchdb.example.com/p/${main}`,
      },
      keys: { anon: expect.any(String), service_role: expect.any(String) },
    });
    const claims = JSON.parse(Buffer.from(body.keys.anon.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'launchdb', ref: main, role: 'anon' });
  });

  it('keeps a project\'s auth settings as a merge patch, the SMTP password write-only and encrypted', async () => {
    expect((await request('GET', `/api/projects/${main}/auth-settings`)).json()).toEqual({ settings: {}, smtp_password_set: false, updated_at: null });
    const changed = await request('PATCH', `/api/projects/${main}/auth-settings`, {
      payload: {
        site_url: 'https://haven.example.com',
        uri_allow_list: ['https://haven.example.com/**'],
        smtp: { host: 'smtp.example.com', port: 587, user: 'haven', sender_email: 'no-reply@haven.example.com' },
        smtp_password: 'smtp-password-kept-secret',
      },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ settings: { site_url: 'https://haven.example.com', smtp: { port: 587 } }, smtp_password_set: true });
    expect(changed.body).not.toContain('smtp-password-kept-secret');
    const stored = await platform.db.query<{ ciphertext: string }>(`select ciphertext from platform.secrets where project_id = $1 and name = 'smtp_password'`, [main]);
    expect(stored.rows[0]!.ciphertext).not.toContain('smtp-password-kept-secret');

    const cleared = await request('PATCH', `/api/projects/${main}/auth-settings`, { payload: { smtp: null, smtp_password: null } });
    expect(cleared.json()).toMatchObject({ settings: { site_url: 'https://haven.example.com' }, smtp_password_set: false });
    expect(cleared.json().settings.smtp).toBeUndefined();

    const refused = await request('PATCH', `/api/projects/${main}/auth-settings`, { payload: { jwt_exp: 5, site_url: 'not a url' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('validation_failed');
    expect((await request('GET', `/api/projects/${main}/auth-settings`)).json().settings.site_url).toBe('https://haven.example.com');
    expect((await request('GET', '/api/projects/nosuchproject/auth-settings')).statusCode).toBe(404);
  });

  it('lists projects without their keys, and shows one with them', async () => {
    const list = await request('GET', '/api/projects');
    expect(list.statusCode).toBe(200);
    const listed = list.json().projects.find((project: { id: string }) => project.id === main);
    expect(listed).toMatchObject({ id: main, status: 'active' });
    expect(listed).not.toHaveProperty('keys');

    const one = await request('GET', `/api/projects/${main}`);
    expect(one.statusCode).toBe(200);
    expect(one.headers['cache-control']).toBe('no-store');
    expect(one.json().keys.service_role).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown project on every route', async () => {
    const responses = await Promise.all([
      request('GET', '/api/projects/tnothere'),
      request('GET', '/api/projects/Not-An-Id'),
      request('POST', '/api/projects/tnothere/provision'),
      request('POST', '/api/projects/tnothere/keys/rotate'),
      request('DELETE', '/api/projects/tnothere?confirm=tnothere'),
      request('POST', '/api/projects/tnothere/migrations', { payload: { name: 'a', sql: 'select 1' } }),
      request('GET', '/api/projects/tnothere/migrations'),
    ]);
    expect(responses.map((response) => response.statusCode)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect(responses[0]!.json()).toEqual({ error: { code: 'not_found', message: 'project tnothere not found' } });
  });

  it('refuses an id already active (409), an unknown template and invalid bodies (400)', async () => {
    const cases = [
      { payload: { id: main, name: 'again' }, status: 409, code: 'project_exists' },
      { payload: { name: 'x', template: 'nope' }, status: 400, code: 'unknown_template' },
      { payload: { id: 'Bad_Id', name: 'x' }, status: 400, code: 'validation_failed' },
      { payload: { id: 'ab', name: 'x' }, status: 400, code: 'validation_failed' },
      { payload: { name: '' }, status: 400, code: 'validation_failed' },
      { payload: { id: randomProjectId() }, status: 400, code: 'validation_failed' },
      { payload: { name: 'x'.repeat(100_000) }, status: 413, code: 'payload_too_large' },
    ];
    for (const c of cases) {
      const response = await request('POST', '/api/projects', { payload: c.payload });
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({ status: c.status, code: c.code });
    }
  });

  it('answers provisioning_failed naming the step, shows the project failed, and finishes it on retry', async () => {
    platform.dataApis.failSpawn = new Error('postgrest-manager is unreachable');
    let response;
    try {
      response = await request('POST', '/api/projects', { payload: { id: failing, name: 'Failing', template: 'haven' } });
    } finally {
      platform.dataApis.failSpawn = undefined;
    }
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'provisioning_failed', message: 'provisioning failed at step data_api: postgrest-manager is unreachable' } });
    const shown = (await request('GET', `/api/projects/${failing}`)).json();
    expect(shown).toMatchObject({ status: 'failed', failed_step: 'data_api', error: 'postgrest-manager is unreachable', template: 'haven', keys: null });

    const retried = await request('POST', `/api/projects/${failing}/provision`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'active', failed_step: null, error: null, keys: { anon: expect.any(String) } });
  });

  it('resumes a failed project when it is created again with the same id (200)', async () => {
    const id = randomProjectId();
    platform.created.add(id);
    platform.dataApis.failSpawn = new Error('down');
    try {
      expect((await request('POST', '/api/projects', { payload: { id, name: 'again' } })).statusCode).toBe(500);
    } finally {
      platform.dataApis.failSpawn = undefined;
    }
    const again = await request('POST', '/api/projects', { payload: { id, name: 'again' } });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('active');
    expect((await request('POST', '/api/projects', { payload: { id, name: 'again', template: 'haven' } })).statusCode).toBe(409);
    expect((await request('DELETE', `/api/projects/${id}?confirm=${id}`)).statusCode).toBe(204);
  });

  it('answers 202 at once with Prefer: respond-async and goes on in the background', async () => {
    const response = await request('POST', '/api/projects', { payload: { id: background, name: 'Background' }, headers: { prefer: 'respond-async' } });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ id: background, status: 'provisioning', keys: null });
    let status = 'provisioning';
    for (let i = 0; i < 100 && status === 'provisioning'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await request('GET', `/api/projects/${background}`)).json().status;
    }
    expect(status).toBe('active');
  });

  it('rotates keys and answers with the new ones', async () => {
    const before = (await request('GET', `/api/projects/${main}`)).json().keys;
    const response = await request('POST', `/api/projects/${main}/keys/rotate`);
    expect(response.statusCode).toBe(200);
    const after = response.json().keys;
    expect(after.anon).not.toBe(before.anon);
    expect(after.service_role).not.toBe(before.service_role);
    expect(platform.dataApis.count('reload', main)).toBe(1);
    const jwtSecret = await readProjectSecret(platform.db, platform.secrets, main, ProjectSecret.jwtSecret);
    expect((await verifyHs256(after.anon, jwtSecret!)).ok).toBe(true);
    expect((await verifyHs256(before.anon, jwtSecret!)).ok).toBe(false);
  });

  it('applies migrations (201), refuses a duplicate (409) and a failing one (400), and lists them', async () => {
    const first = await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '0001_notes.sql', sql: 'create table notes (id serial primary key, body text)' } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ name: '0001_notes.sql', checksum: expect.any(String), applied_at: expect.any(String) });

    const duplicate = await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '0001_notes.sql', sql: 'select 1' } });
    expect({ status: duplicate.statusCode, code: duplicate.json().error.code }).toEqual({ status: 409, code: 'migration_exists' });

    const broken = await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '0002_broken', sql: 'create tabel x ()' } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toEqual({ code: 'migration_failed', message: 'migration 0002_broken failed, nothing was applied: syntax error at or near "tabel" (line 1)' });

    // bigger than the API's usual 64 KiB body limit
    const large = `create table big (id int);\n${'-- padding\n'.repeat(10_000)}`;
    expect((await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '0003_big', sql: large } })).statusCode).toBe(201);
    const tooLarge = await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '0004_huge', sql: 'x'.repeat(1024 * 1024 + 1) } });
    expect({ status: tooLarge.statusCode, code: tooLarge.json().error.code }).toEqual({ status: 400, code: 'validation_failed' });
    const badName = await request('POST', `/api/projects/${main}/migrations`, { payload: { name: '../etc', sql: 'select 1' } });
    expect(badName.statusCode).toBe(400);

    const list = await request('GET', `/api/projects/${main}/migrations`);
    expect(list.statusCode).toBe(200);
    expect(list.json().migrations.map((migration: { name: string }) => migration.name)).toEqual(['0001_notes.sql', '0003_big']);
  });

  it('rewrites a project\'s pool entry on request', async () => {
    const adds = platform.pooler.count('add', main);
    const response = await request('POST', `/api/projects/${main}/pooler`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ project: main, pooler: platform.pooler.address });
    expect(platform.pooler.count('add', main)).toBe(adds + 1);
    expect((await request('POST', '/api/projects/tnothere/pooler')).statusCode).toBe(404);
  });

  it('deletes only with ?confirm=<id> (204), after which the project is gone', async () => {
    for (const url of [`/api/projects/${main}`, `/api/projects/${main}?confirm=${background}`, `/api/projects/${main}?confirm=`]) {
      const refused = await request('DELETE', url);
      expect({ status: refused.statusCode, code: refused.json().error.code }).toEqual({ status: 400, code: 'confirmation_required' });
    }
    const deleted = await request('DELETE', `/api/projects/${main}?confirm=${main}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await request('GET', `/api/projects/${main}`)).statusCode).toBe(404);
    expect(platform.pooler.entries.has(main)).toBe(false);
  });
});
