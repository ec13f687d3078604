import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import {
  applyMigrations,
  createLogger,
  createPool,
  generateMasterKey,
  parseMasterKey,
  ProjectSecret,
  projectNames,
  quoteIdent,
  readMigrations,
  readProjectSecret,
  SecretBox,
  withClient,
  withDatabase,
  withRequestRole,
  type DatabaseAddress,
  type Logger,
} from '@launchdb/common';
import { PLATFORM_MIGRATIONS_FOLDER, ProjectProvisioner } from '@launchdb/platform-api';
import { createStorageBackend, type StorageBackend } from '@launchdb/storage-service/backends';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { startTestPgBouncer, type TestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { randomBytes } from 'node:crypto';
import { CaptureWorker } from '../capture-worker.ts';
import { defaultWorkerSettings, type WorkerSettings } from '../settings.ts';

/** One Haven project of the test platform, arranged directly as the superuser. */
export interface HavenTestProject {
  id: string;
  admin: pg.Pool;
  /** A confirmed user, as the auth service would have made them. */
  user(): Promise<string>;
  /** `text` as `caller` (a user id or 'service_role'), in one transaction as the data API runs it. */
  as<R extends pg.QueryResultRow = Record<string, unknown>>(caller: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Stores a file in the captures bucket as storage-service would (bytes in the backend, the row in storage.objects). */
  upload(owner: string, name: string, bytes: Buffer, mimetype: string): Promise<void>;
  authenticatorPassword: string;
}

export interface HavenTestPlatform {
  platformUrl: string;
  masterKey: string;
  secrets: SecretBox;
  platformDb: pg.Pool;
  postgres: DatabaseAddress;
  storageRoot: string;
  backend: StorageBackend;
  logger: Logger;
  project(): Promise<HavenTestProject>;
  /** A worker on this platform (stopped by close()). */
  worker(settings?: Partial<WorkerSettings>, pooler?: DatabaseAddress): Promise<CaptureWorker>;
  /** A real PgBouncer in front of the project's database, under its own name. */
  pgbouncer(project: HavenTestProject): Promise<DatabaseAddress>;
  close(): Promise<void>;
}

/** A platform database with Haven projects provisioned as `launchdb project create --template haven` makes them. */
export async function startHavenPlatform(): Promise<HavenTestPlatform> {
  const serverUrl = inject('postgresUrl');
  const server = new URL(serverUrl);
  const postgres = { host: server.hostname, port: Number(server.port) };
  const database = await createTestDatabase('wplatform');
  await withClient(database.url, async (admin) =>
    applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), { schema: 'platform', table: 'schema_migrations' }),
  );
  const masterKey = generateMasterKey();
  const secrets = new SecretBox(parseMasterKey(masterKey));
  const platformDb = createPool({ connectionString: database.url, applicationName: 'worker-test', max: 4 });
  const logger = createLogger({ level: process.env.WORKER_TEST_LOG ?? 'silent', name: 'worker' });
  const storageRoot = await mkdtemp(join(tmpdir(), 'worker-storage-'));
  const backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: storageRoot } as never);
  const provisioner = new ProjectProvisioner({
    db: platformDb,
    adminUrl: database.url,
    secrets,
    pooler: { address: postgres, addProject: async () => undefined, removeProject: async () => undefined },
    dataApis: { spawn: async () => undefined, stop: async () => undefined, reload: async () => undefined },
    logger,
  });
  const created: string[] = [];
  const pools: pg.Pool[] = [];
  const workers: CaptureWorker[] = [];
  const bouncers: TestPgBouncer[] = [];

  return {
    platformUrl: database.url,
    masterKey,
    secrets,
    platformDb,
    postgres,
    storageRoot,
    backend,
    logger,
    async project() {
      const id = `w${randomBytes(4).toString('hex')}`;
      created.push(id);
      await provisioner.create({ id, name: 'haven', template: 'haven' });
      const admin = new pg.Pool({ connectionString: withDatabase(serverUrl, projectNames(id).database), max: 4 });
      admin.on('error', () => undefined);
      pools.push(admin);
      const authenticatorPassword = (await readProjectSecret(platformDb, secrets, id, ProjectSecret.authenticatorPassword))!;
      const as = <R extends pg.QueryResultRow>(caller: string, text: string, values: unknown[] = []): Promise<R[]> => {
        const role = caller === 'service_role' ? caller : 'authenticated';
        return withRequestRole(admin, { role, claims: role === 'authenticated' ? { sub: caller, role } : { role } }, async (client) => (await client.query<R>(text, values)).rows);
      };
      return {
        id,
        admin,
        authenticatorPassword,
        as,
        async user() {
          const { rows } = await admin.query<{ id: string }>(
            `insert into auth.users (id, email, email_confirmed_at, created_at) values (gen_random_uuid(), gen_random_uuid() || '@haven.example.com', now(), now()) returning id`,
          );
          return rows[0]!.id;
        },
        async upload(owner, name, bytes, mimetype) {
          const version = randomBytes(8).toString('hex');
          const info = await backend.write({ projectId: id, bucketId: 'captures', key: name, version }, (await import('node:stream')).Readable.from([bytes]), {
            contentType: mimetype,
            cacheControl: 'no-cache',
          });
          const metadata = { eTag: info.etag, size: info.size, mimetype, cacheControl: 'no-cache', lastModified: info.lastModified.toISOString(), contentLength: info.size, httpStatusCode: 200 };
          await admin.query(
            `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata) values ('captures', $1, $2::uuid, $2::text, $3, $4)
             on conflict (bucket_id, name) do update set version = excluded.version, metadata = excluded.metadata`,
            [name, owner, version, metadata],
          );
        },
      };
    },
    async worker(settings = {}, pooler = postgres) {
      const worker = new CaptureWorker({
        platformDb,
        secrets,
        postgres,
        pooler,
        backend,
        settings: { ...defaultWorkerSettings(), WORKER_OCR_THREADS: 1, ...settings },
        logger,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    async pgbouncer(project) {
      const names = projectNames(project.id);
      const bouncer = await startTestPgBouncer({
        adminUrl: withDatabase(serverUrl, names.database),
        database: names.database,
        alias: names.database,
        login: { user: names.authenticator, password: project.authenticatorPassword },
        poolSize: 4,
      });
      bouncers.push(bouncer);
      const url = new URL(bouncer.url);
      return { host: url.hostname, port: Number(url.port) };
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.stop(1_000)));
      await Promise.all(bouncers.map((bouncer) => bouncer.close()));
      await Promise.all(pools.map((pool) => pool.end()));
      await platformDb.end();
      await backend.close();
      await rm(storageRoot, { recursive: true, force: true });
      await withClient(serverUrl, async (admin) => {
        for (const id of created) {
          const names = projectNames(id);
          await admin.query(`drop database if exists ${quoteIdent(names.database)} with (force)`);
          await admin.query(`drop role if exists ${quoteIdent(names.authenticator)}`);
          await admin.query(`drop role if exists ${quoteIdent(names.owner)}`);
        }
      });
      await database.drop();
    },
  };
}
