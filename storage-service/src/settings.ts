import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFileSize } from './domain/file-size.ts';

const fileSize = (fallback: number) =>
  z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const bytes = parseFileSize(value);
      if (bytes === undefined || bytes === 0) {
        context.addIssue({ code: 'custom', message: 'expected a size in bytes or like 50MB, 5GB' });
        return z.NEVER;
      }
      return bytes;
    })
    .default(fallback);

/**
 * What the storage service reads from the environment besides its backend
 * (`storageBackendSettingsSchema`) and the platform's database and key.
 */
export const storageServiceSettingsSchema = z.object({
  /** The largest object anyone may upload, whatever a bucket allows (Supabase's FILE_SIZE_LIMIT: 50 MiB). */
  STORAGE_FILE_SIZE_LIMIT: fileSize(50 * 1024 * 1024),
  /** Where resumable (TUS) uploads are staged until complete. */
  STORAGE_UPLOADS_DIR: z.string().min(1).default(join(tmpdir(), 'launchdb-storage-uploads')),
  /** How long a signed upload URL is valid (Supabase: 2 hours). */
  STORAGE_UPLOAD_SIGNED_URL_EXPIRES_SECONDS: z.coerce.number().int().positive().default(7200),
  /** A resumable upload not finished within this long is dropped from staging. */
  STORAGE_TUS_EXPIRES_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  /** How often the files of objects deleted outside the storage API (cascades, app triggers, SQL) are deleted; 0: never. */
  STORAGE_REMOVALS_SWEEP_SECONDS: z.coerce.number().nonnegative().default(60),
});

export type StorageServiceSettings = z.infer<typeof storageServiceSettingsSchema>;

/** The settings with every default, for tests and the embedded platform. */
export function defaultStorageServiceSettings(overrides: Partial<StorageServiceSettings> = {}): StorageServiceSettings {
  return { ...storageServiceSettingsSchema.parse({}), ...overrides };
}
