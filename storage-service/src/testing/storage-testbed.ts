import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { StorageClient } from '@supabase/storage-js';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../../test/service-projects.ts';
import { buildStorageApp } from '../app.ts';
import { createStorageBackend } from '../backends/index.ts';
import type { StorageBackend } from '../backends/storage-backend.ts';
import { PlatformS3Credentials } from '../s3/s3-credentials.ts';
import { defaultStorageServiceSettings, type StorageServiceSettings } from '../settings.ts';
import { startTestS3Server, type TestS3Server } from './s3-server.ts';

export type BackendKind = 'fs' | 's3';

/**
 * For storage-service tests: real provisioned projects, a real backend (a temporary folder, or
 * s3rver), and the service listening on a free port — called with the real storage-js.
 */
export interface StorageTestbed {
  projects: ServiceTestbed;
  backend: StorageBackend;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The fs backend's root (undefined on s3). */
  fsRoot: string | undefined;
  uploadsDir: string;
  /** supabase-js's base URL for the project's storage: `<origin>/p/<id>/storage/v1`. */
  storageUrl(projectId: string): string;
  /** storage-js with the project's anon key as apikey and `bearer` (a token or a key) as the caller. */
  client(project: ServiceTestProject, bearer?: string): StorageClient;
  close(): Promise<void>;
}

export async function startStorageTestbed(kind: BackendKind = 'fs', settings: Partial<StorageServiceSettings> = {}): Promise<StorageTestbed> {
  const scratch = await mkdtemp(join(tmpdir(), 'launchdb-storage-test-'));
  const fsRoot = kind === 'fs' ? join(scratch, 'objects') : undefined;
  const uploadsDir = join(scratch, 'uploads');
  let s3: TestS3Server | undefined;
  if (kind === 's3') s3 = await startTestS3Server();
  const backend = s3 === undefined ? createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: fsRoot, STORAGE_S3_REGION: 'us-east-1', STORAGE_S3_FORCE_PATH_STYLE: false }) : createStorageBackend(s3.settings);
  const projects = await createServiceTestbed();
  const app = await buildStorageApp({
    projects: projects.directory,
    backend,
    settings: defaultStorageServiceSettings({ STORAGE_UPLOADS_DIR: uploadsDir, ...settings }),
    s3Credentials: new PlatformS3Credentials({ platformDb: projects.platformDb, secrets: projects.secrets }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const storageUrl = (projectId: string) => `${origin}/p/${projectId}/storage/v1`;
  return {
    projects,
    backend,
    app,
    origin,
    fsRoot,
    uploadsDir,
    storageUrl,
    client: (project, bearer = project.serviceKey) => new StorageClient(storageUrl(project.id), { apikey: project.anonKey, Authorization: `Bearer ${bearer}` }),
    async close() {
      // A test may end as soon as it has a body's last byte, a moment before the server marks
      // that answer finished: the connection is then busy when close() drops idle ones, and
      // would stay open for Fastify's 72 s keep-alive. Tests are over: every connection goes.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await backend.close();
      await projects.close();
      await s3?.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
