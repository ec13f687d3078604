import { z } from 'zod';
import { ConfigError } from '@launchdb/common';
import { FsStorageBackend } from './fs-storage-backend.ts';
import { S3StorageBackend } from './s3-storage-backend.ts';
import type { StorageBackend } from './storage-backend.ts';

export * from './storage-backend.ts';
export { FsStorageBackend, InvalidLocationError, fsObjectPaths, type FsEtag, type FsObjectPaths, type FsStorageBackendOptions } from './fs-storage-backend.ts';
export { S3StorageBackend, type S3StorageBackendOptions } from './s3-storage-backend.ts';
export type { ContentHash } from './metered-copy.ts';

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

/**
 * Where object bytes go. Spread into a service's own env schema (as `launchdb up` and the
 * standalone main do) or parsed alone with `storageBackendSettingsSchema`.
 */
export const storageBackendSettings = {
  STORAGE_BACKEND: z.enum(['fs', 's3'], { error: 'expected fs or s3' }).default('fs'),
  /** fs: the folder holding every project's objects (`<data>/storage` in the embedded platform). */
  STORAGE_FS_ROOT: z.string().min(1).optional(),
  /** s3: unset for AWS; `http://minio:9000` for MinIO or any other S3-compatible server. */
  STORAGE_S3_ENDPOINT: z.url({ error: 'expected an http(s) URL' }).optional(),
  STORAGE_S3_REGION: z.string().min(1).default('us-east-1'),
  /** s3: the one bucket every project's objects live in, under `<project>/`. */
  STORAGE_S3_BUCKET: z.string().min(1).optional(),
  STORAGE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  STORAGE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** s3: `http://host/bucket/key` addressing, as MinIO needs. */
  STORAGE_S3_FORCE_PATH_STYLE: flag.default(false),
};

export const storageBackendSettingsSchema = z.object(storageBackendSettings);
export type StorageBackendSettings = z.infer<typeof storageBackendSettingsSchema>;

/**
 * The backend the settings choose. `defaults.fsRoot` stands in for an unset STORAGE_FS_ROOT
 * (the embedded platform passes `<data>/storage`).
 */
export function createStorageBackend(settings: StorageBackendSettings, defaults: { fsRoot?: string } = {}): StorageBackend {
  if (settings.STORAGE_BACKEND === 'fs') {
    const root = settings.STORAGE_FS_ROOT ?? defaults.fsRoot;
    if (!root) throw new ConfigError('STORAGE_FS_ROOT: required when STORAGE_BACKEND=fs');
    return new FsStorageBackend({ root });
  }
  if (!settings.STORAGE_S3_BUCKET) throw new ConfigError('STORAGE_S3_BUCKET: required when STORAGE_BACKEND=s3');
  if (Boolean(settings.STORAGE_S3_ACCESS_KEY_ID) !== Boolean(settings.STORAGE_S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY: set both or neither (then the AWS default chain applies)');
  }
  return new S3StorageBackend({
    endpoint: settings.STORAGE_S3_ENDPOINT,
    region: settings.STORAGE_S3_REGION,
    bucket: settings.STORAGE_S3_BUCKET,
    accessKeyId: settings.STORAGE_S3_ACCESS_KEY_ID,
    secretAccessKey: settings.STORAGE_S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.STORAGE_S3_FORCE_PATH_STYLE,
  });
}
