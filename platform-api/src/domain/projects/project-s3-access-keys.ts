import type { Pool, SecretBox } from '@launchdb/common';
import { createS3AccessKey, deleteS3AccessKey, listS3AccessKeys, type S3AccessKeyRecord } from '@launchdb/common/s3-access-keys';
import { PlatformErrors } from '../../errors.ts';
import { ProjectRecords } from './project-records.ts';

/**
 * A project's S3 access keys: what an S3 client signs its requests to the project's storage
 * with (`/storage/v1/s3`, SigV4). Created with their secret shown once, listed without it,
 * deleted (revoked) at once — the storage service reads them per request.
 */
export class ProjectS3AccessKeys {
  readonly #db: Pool;
  readonly #secrets: SecretBox;
  readonly #records: ProjectRecords;

  constructor(db: Pool, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
    this.#records = new ProjectRecords(db);
  }

  async create(projectId: string, description: string): Promise<S3AccessKeyRecord & { secret_access_key: string }> {
    await this.#assertExists(projectId);
    return createS3AccessKey(this.#db, this.#secrets, projectId, description);
  }

  async list(projectId: string): Promise<S3AccessKeyRecord[]> {
    await this.#assertExists(projectId);
    return listS3AccessKeys(this.#db, projectId);
  }

  async remove(projectId: string, accessKeyId: string): Promise<void> {
    await this.#assertExists(projectId);
    if (!(await deleteS3AccessKey(this.#db, projectId, accessKeyId))) throw PlatformErrors.notFound(`S3 access key ${accessKeyId}`);
  }

  async #assertExists(projectId: string): Promise<void> {
    const project = await this.#records.find(projectId);
    if (!project || project.status === 'deleting') throw PlatformErrors.projectNotFound(projectId);
  }
}
