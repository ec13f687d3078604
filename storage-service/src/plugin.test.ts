import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageClient } from '@supabase/storage-js';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { createStorageBackend } from './backends/index.ts';
import type { StorageBackend } from './backends/storage-backend.ts';
import { registerStorageService, type StorageService } from './plugin.ts';
import { defaultStorageServiceSettings } from './settings.ts';

/** The storage service inside an app that has other routes, as the embedded platform registers it. */
describe('registerStorageService in a shared app', () => {
  let scratch: string;
  let projects: ServiceTestbed;
  let project: ServiceTestProject;
  let backend: StorageBackend;
  let app: FastifyInstance;
  let service: StorageService;
  let origin: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'launchdb-storage-plugin-'));
    projects = await createServiceTestbed();
    project = await projects.createProject();
    backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: join(scratch, 'objects'), STORAGE_S3_REGION: 'us-east-1', STORAGE_S3_FORCE_PATH_STYLE: false });
    app = Fastify({ bodyLimit: 64 * 1024 });
    app.post('/p/:projectId/auth/v1/token', async (request) => ({ echoed: request.body }));
    app.get('/p/:projectId/rest/v1/*', async () => ({ from: 'rest' }));
    service = await registerStorageService(app, { projects: projects.directory, backend, settings: defaultStorageServiceSettings({ STORAGE_UPLOADS_DIR: join(scratch, 'uploads') }) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
    await projects?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("leaves the app's other routes and parsers alone, and its body limit does not apply to uploads", async () => {
    const token = await fetch(`${origin}/p/${project.id}/auth/v1/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await token.json()).toEqual({ echoed: { a: 1 } });
    expect(await (await fetch(`${origin}/p/${project.id}/rest/v1/things`)).json()).toEqual({ from: 'rest' });
    // an app-level 404 is not the storage scope's
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);

    const storage = new StorageClient(`${origin}/p/${project.id}/storage/v1`, { apikey: project.anonKey, Authorization: `Bearer ${project.serviceKey}` });
    await storage.createBucket('files');
    const large = Buffer.alloc(512 * 1024, 3);
    expect((await storage.from('files').upload('large.bin', large, { contentType: 'application/octet-stream' })).error).toBeNull();
    expect((await storage.from('files').download('large.bin')).data!.size).toBe(large.length);

    const unknownRoute = await fetch(`${origin}/p/${project.id}/storage/v1/nothing/here`, { headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(unknownRoute.status).toBe(404);
    expect(await unknownRoute.json()).toMatchObject({ statusCode: '404' });
  });

  it("deletes every byte of a deleted project, and its staged uploads", async () => {
    const storage = new StorageClient(`${origin}/storage/${project.id}`, { Authorization: `Bearer ${project.serviceKey}` });
    await storage.from('files').upload('doomed.txt', 'bye', { contentType: 'text/plain' });
    // an upload abandoned half-way, as tus leaves it in staging
    await mkdir(join(scratch, 'uploads'), { recursive: true });
    await writeFile(join(scratch, 'uploads', `${project.id}-0123456789abcdef0123456789abcdef`), 'staged');
    expect(await readdir(join(scratch, 'objects'))).toContain(project.id);

    await service.deleteProject(project.id);
    expect(await readdir(join(scratch, 'objects'))).not.toContain(project.id);
    expect((await readdir(join(scratch, 'uploads'))).filter((name) => name.startsWith(project.id))).toEqual([]);
  });
});
