import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@launchdb/common';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { buildStorageApp } from './app.ts';
import { createStorageBackend } from './backends/index.ts';
import type { StorageBackend } from './backends/storage-backend.ts';
import { defaultStorageServiceSettings } from './settings.ts';

describe('buildStorageApp', () => {
  let scratch: string;
  let projects: ServiceTestbed;
  let project: ServiceTestProject;
  let backend: StorageBackend;
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof buildStorageApp>>;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'launchdb-storage-app-'));
    projects = await createServiceTestbed();
    project = await projects.createProject();
    backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: scratch, STORAGE_S3_REGION: 'us-east-1', STORAGE_S3_FORCE_PATH_STYLE: false });
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await buildStorageApp({
      projects: projects.directory,
      backend,
      settings: defaultStorageServiceSettings({ STORAGE_UPLOADS_DIR: join(scratch, 'uploads') }),
      logger: createLogger({ level: 'info', name: 'storage-service', destination }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
    await projects?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('answers /health', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('never logs the token of a signed URL, an apikey in the query or an Authorization header', async () => {
    await app.inject({ method: 'GET', url: `/storage/${project.id}/object/sign/b/x.txt?token=signed-secret-token&download=` });
    await app.inject({ method: 'GET', url: `/storage/${project.id}/bucket?apikey=${project.serviceKey}`, headers: { authorization: `Bearer ${project.serviceKey}` } });
    const logged = lines.join('');
    expect(logged).toContain('/object/sign/b/x.txt?token=[redacted]&download=');
    expect(logged).not.toContain('signed-secret-token');
    expect(logged).not.toContain(project.serviceKey);
  });
});
