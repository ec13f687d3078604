import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectTemplates } from '../../domain/projects/project-templates.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../domain/projects/projects.test-support.ts';
import type { PlatformApi } from '../../app.ts';
import { startOperatorApi } from './operator-api.test-support.ts';

/**
 * A dashboard app learns its project's supabase-js URL and anon key without an operator token —
 * but only for projects whose template declares a dashboard app.
 */
describe('GET /api/projects/:id/public', () => {
  let platform: TestPlatform;
  let api: PlatformApi;
  let token: string;
  let apps: string;
  const [notes, plain, bare] = [randomProjectId(), randomProjectId(), randomProjectId()];

  beforeAll(async () => {
    apps = await mkdtemp(join(tmpdir(), 'launchdb-apps-'));
    await mkdir(join(apps, 'notes'));
    await writeFile(join(apps, 'notes', '0001_notes.sql'), 'create table public.notes (id bigint primary key);');
    await writeFile(join(apps, 'notes', 'template.json'), JSON.stringify({ title: 'Notes', dashboard_app: 'notes' }));
    await mkdir(join(apps, 'plain'));
    await writeFile(join(apps, 'plain', '0001_plain.sql'), 'create table public.things (id bigint primary key);');

    platform = await createTestPlatform();
    for (const id of [notes, plain, bare]) platform.created.add(id);
    ({ api, token } = await startOperatorApi(platform, { publicUrl: 'https://launchdb.example.com/', templates: new ProjectTemplates({ apps }) }));
    for (const [id, template] of [[notes, 'notes'], [plain, 'plain'], [bare, undefined]] as const) {
      const created = await api.inject({
        method: 'POST',
        url: '/api/projects',
        headers: { authorization: `Bearer ${token}` },
        payload: { id, name: `Project ${id}`, ...(template ? { template } : {}) },
      });
      expect(created.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await api?.close();
    await platform?.close();
    await rm(apps, { recursive: true, force: true });
  });

  it('answers the supabase-js URL, the anon key, the name and the template, without a token', async () => {
    const response = await api.inject({ method: 'GET', url: `/api/projects/${notes}/public` });
    expect(response.statusCode).toBe(200);
    const keys = (await api.inject({ method: 'GET', url: `/api/projects/${notes}`, headers: { authorization: `Bearer ${token}` } })).json().keys;
    expect(response.json()).toEqual({
      url: `https://launchdb.example.com/p/${notes}`,
      anon_key: keys.anon,
      name: `Project ${notes}`,
      template: 'notes',
      app: 'notes',
    });
    expect(JSON.stringify(response.json())).not.toContain(keys.service_role);
  });

  it('answers 404 for projects whose template has no dashboard app, no template, or that do not exist', async () => {
    for (const id of [plain, bare, randomProjectId()]) {
      const response = await api.inject({ method: 'GET', url: `/api/projects/${id}/public` });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
  });

  it('lists the templates for operators, each as it describes itself', async () => {
    expect((await api.inject({ method: 'GET', url: '/api/templates' })).statusCode).toBe(401);
    const listed = await api.inject({ method: 'GET', url: '/api/templates', headers: { authorization: `Bearer ${token}` } });
    expect(listed.json()).toEqual({
      templates: [
        { name: 'notes', title: 'Notes', description: null, dashboard_app: 'notes' },
        { name: 'plain', title: 'plain', description: null, dashboard_app: null },
      ],
    });
  });

  it('stops answering once the project is deleted', async () => {
    const deleted = await api.inject({ method: 'DELETE', url: `/api/projects/${notes}?confirm=${notes}`, headers: { authorization: `Bearer ${token}` } });
    expect(deleted.statusCode).toBe(204);
    expect((await api.inject({ method: 'GET', url: `/api/projects/${notes}/public` })).statusCode).toBe(404);
  });
});
