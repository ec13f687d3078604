import { LaunchDbError, withTransaction, type Logger, type Pool, type SecretBox } from '@launchdb/common';
import { generateSigningKey, listSigningKeys, type SigningAlgorithm, type SigningKeyRecord } from '@launchdb/common/signing-keys';
import { PlatformErrors } from '../../errors.ts';
import type { ProjectProvisionerOptions } from './project-provisioner.ts';
import { ProjectRecords } from './project-records.ts';

export interface ProjectKeyRingOptions {
  db: Pool;
  secrets: SecretBox;
  dataApis: ProjectProvisionerOptions['dataApis'];
  /** The gateway and services forget the project's cached keys. */
  onKeysRotated?: ((projectId: string) => void | Promise<void>) | undefined;
  logger: Logger;
}

const SigningKeyErrors = {
  standbyExists: (id: string) => new LaunchDbError('signing_key_exists', 409, `a standby key already exists (${id}); rotate to it or revoke it first`),
  noStandby: () => new LaunchDbError('signing_key_missing', 409, 'there is no standby key to rotate to: create one first (POST …/signing-keys)'),
  notFound: (kid: string) => new LaunchDbError('signing_key_not_found', 404, `signing key ${kid} not found`),
  transition: (from: string, to: string) => new LaunchDbError('validation_failed', 400, `a signing key cannot go from ${from} to ${to}`),
};

/** Which status a key may move to by hand; rotation moves standby → in_use → previously_used. */
const ALLOWED: Record<string, string[]> = {
  in_use: ['previously_used'],
  standby: ['revoked'],
  previously_used: ['revoked', 'standby'],
};

/**
 * Operators' control of a project's asymmetric signing keys: create a standby key (published at
 * once, so verifiers know it before it signs), rotate to it (the key in use becomes previously
 * used and still verifies), revoke old keys, or return to the HS256 secret (the key in use set to
 * previously used). Every change restarts the project's data API with the new JWK Set and makes
 * the services read the keys again.
 */
export class ProjectKeyRing {
  readonly #options: ProjectKeyRingOptions;
  readonly #records: ProjectRecords;

  constructor(options: ProjectKeyRingOptions) {
    this.#options = options;
    this.#records = new ProjectRecords(options.db);
  }

  async list(projectId: string): Promise<SigningKeyRecord[]> {
    await this.#assertActive(projectId);
    return listSigningKeys(this.#options.db, projectId);
  }

  async create(projectId: string, algorithm: SigningAlgorithm): Promise<SigningKeyRecord> {
    await this.#assertActive(projectId);
    const key = await generateSigningKey(this.#options.secrets, projectId, algorithm);
    try {
      await this.#options.db.query(
        `insert into platform.project_signing_keys (id, project_id, algorithm, status, public_jwk, private_key_ciphertext)
         values ($1, $2, $3, 'standby', $4, $5)`,
        [key.id, projectId, algorithm, JSON.stringify(key.publicJwk), key.privateKeyCiphertext],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        const standby = (await listSigningKeys(this.#options.db, projectId)).find((existing) => existing.status === 'standby');
        throw SigningKeyErrors.standbyExists(standby?.id ?? '?');
      }
      throw error;
    }
    await this.#changed(projectId);
    return (await listSigningKeys(this.#options.db, projectId)).find((existing) => existing.id === key.id)!;
  }

  /** The standby key signs from now on; the key in use so far still verifies. */
  async rotate(projectId: string): Promise<SigningKeyRecord[]> {
    await this.#assertActive(projectId);
    await this.#inTransaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(`select id from platform.project_signing_keys where project_id = $1 and status = 'standby' for update`, [projectId]);
      if (rows.length === 0) throw SigningKeyErrors.noStandby();
      await client.query(`update platform.project_signing_keys set status = 'previously_used', updated_at = now() where project_id = $1 and status = 'in_use'`, [projectId]);
      await client.query(`update platform.project_signing_keys set status = 'in_use', updated_at = now() where id = $1`, [rows[0]!.id]);
    });
    await this.#changed(projectId);
    return listSigningKeys(this.#options.db, projectId);
  }

  async setStatus(projectId: string, kid: string, status: string): Promise<SigningKeyRecord> {
    await this.#assertActive(projectId);
    await this.#inTransaction(async (client) => {
      const { rows } = await client.query<{ status: string }>('select status from platform.project_signing_keys where project_id = $1 and id = $2 for update', [projectId, kid]);
      const current = rows[0]?.status;
      if (current === undefined) throw SigningKeyErrors.notFound(kid);
      if (current === status) return;
      if (!(ALLOWED[current] ?? []).includes(status)) throw SigningKeyErrors.transition(current, status);
      try {
        await client.query('update platform.project_signing_keys set status = $3, updated_at = now() where project_id = $1 and id = $2', [projectId, kid, status]);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw SigningKeyErrors.standbyExists(kid);
        throw error;
      }
    });
    await this.#changed(projectId);
    return (await listSigningKeys(this.#options.db, projectId)).find((existing) => existing.id === kid)!;
  }

  async #changed(projectId: string): Promise<void> {
    this.#options.logger.info({ projectId }, 'project signing keys changed');
    try {
      await this.#options.dataApis.reload(projectId);
    } catch (error) {
      throw PlatformErrors.dataApiReloadFailed(projectId, (error as Error).message);
    } finally {
      try {
        await this.#options.onKeysRotated?.(projectId);
      } catch (error) {
        this.#options.logger.warn({ projectId, err: error }, 'onKeysRotated failed');
      }
    }
  }

  #inTransaction(work: (client: import('pg').PoolClient) => Promise<void>): Promise<void> {
    return withTransaction(this.#options.db, work);
  }

  async #assertActive(projectId: string): Promise<void> {
    const project = await this.#records.find(projectId);
    if (!project || project.status === 'deleting') throw PlatformErrors.projectNotFound(projectId);
    if (project.status !== 'active') throw PlatformErrors.projectNotActive(projectId, project.status);
  }
}
