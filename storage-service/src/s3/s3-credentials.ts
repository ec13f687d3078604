import type { Pool, SecretBox } from '@launchdb/common';
import { readS3AccessKeySecret } from '@launchdb/common/s3-access-keys';

/** Where the S3 endpoint finds the secret of a project's access key (created through the platform API). */
export interface S3Credentials {
  /** The key's secret; undefined when the project has no such key (or it was revoked). */
  secretOf(projectId: string, accessKeyId: string): Promise<string | undefined>;
}

/** The keys in the platform database, read on every request, so a revoked key stops working at once. */
export class PlatformS3Credentials implements S3Credentials {
  readonly #platformDb: Pool;
  readonly #secrets: SecretBox;

  constructor(options: { platformDb: Pool; secrets: SecretBox }) {
    this.#platformDb = options.platformDb;
    this.#secrets = options.secrets;
  }

  secretOf(projectId: string, accessKeyId: string): Promise<string | undefined> {
    return readS3AccessKeySecret(this.#platformDb, this.#secrets, projectId, accessKeyId);
  }
}
