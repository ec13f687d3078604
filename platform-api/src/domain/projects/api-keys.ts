import { randomBytes, randomUUID } from 'node:crypto';
import {
  ProjectSecret,
  projectSecretContext,
  signHs256,
  verifyHs256,
  withTransaction,
  type Pool,
  type PoolClient,
  type SecretBox,
} from '@launchdb/common';
import type { ProjectSecrets } from './project-secrets.ts';

export const API_KEY_ROLES = ['anon', 'service_role'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Supabase's keys live ten years: they are revoked by rotation, not by expiry. */
export const API_KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 60 * 60;
export const API_KEY_ISSUER = 'launchdb';

/** 48 random bytes as base64url: 64 characters, used as-is (UTF-8) for HS256, as PGRST_JWT_SECRET is. */
export function generateJwtSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** Supabase-style claims: `{ iss, ref, role, iat, exp }`. */
export function signApiKey(projectId: string, role: ApiKeyRole, jwtSecret: string): Promise<string> {
  return signHs256({ ref: projectId, role }, { secret: jwtSecret, issuer: API_KEY_ISSUER, expiresInSeconds: API_KEY_LIFETIME_SECONDS });
}

async function isValidKey(key: string, projectId: string, role: ApiKeyRole, jwtSecret: string): Promise<boolean> {
  const verified = await verifyHs256(key, jwtSecret, { issuer: API_KEY_ISSUER });
  return verified.ok && verified.claims.ref === projectId && verified.claims.role === role;
}

/**
 * A project's anon and service-role keys (platform.api_keys, the JWT itself encrypted in
 * platform.secrets as `api_key:<api_keys.id>`).
 */
export class ProjectApiKeys {
  readonly #db: Pool;
  readonly #box: SecretBox;
  readonly #secrets: ProjectSecrets;

  constructor(db: Pool, box: SecretBox, secrets: ProjectSecrets) {
    this.#db = db;
    this.#box = box;
    this.#secrets = secrets;
  }

  /**
   * Leaves each live key that is valid under the current JWT secret, and replaces a missing or
   * invalid one (left by a crash in the middle of a rotation): safe to run again and again.
   */
  async ensure(projectId: string, jwtSecret: string): Promise<void> {
    await withTransaction(this.#db, async (client) => {
      await lockProject(client, projectId);
      const live = await this.#liveKeys(client, projectId);
      for (const role of API_KEY_ROLES) {
        const current = live.find((key) => key.role === role);
        if (current && (await isValidKey(current.value, projectId, role, jwtSecret))) continue;
        if (current) await client.query('update platform.api_keys set revoked_at = now() where id = $1', [current.id]);
        await this.#issue(client, projectId, role, jwtSecret);
      }
    });
  }

  /** A new JWT secret and new keys, in one transaction: the old keys are revoked as the new ones appear. */
  async rotate(projectId: string): Promise<void> {
    const jwtSecret = generateJwtSecret();
    await withTransaction(this.#db, async (client) => {
      await lockProject(client, projectId);
      await this.#secrets.replace(client, projectId, ProjectSecret.jwtSecret, jwtSecret);
      await client.query('update platform.api_keys set revoked_at = now() where project_id = $1 and revoked_at is null', [projectId]);
      for (const role of API_KEY_ROLES) await this.#issue(client, projectId, role, jwtSecret);
    });
  }

  async #issue(client: PoolClient, projectId: string, role: ApiKeyRole, jwtSecret: string): Promise<void> {
    const id = randomUUID();
    const key = await signApiKey(projectId, role, jwtSecret);
    const secretId = await this.#secrets.insert(client, projectId, ProjectSecret.apiKey(id), key);
    await client.query('insert into platform.api_keys (id, project_id, role, secret_id) values ($1, $2, $3, $4)', [id, projectId, role, secretId]);
  }

  async #liveKeys(client: PoolClient, projectId: string): Promise<Array<{ id: string; role: ApiKeyRole; value: string }>> {
    const { rows } = await client.query<{ id: string; role: ApiKeyRole; ciphertext: string }>(
      `select k.id, k.role, s.ciphertext
         from platform.api_keys k join platform.secrets s on s.id = k.secret_id
        where k.project_id = $1 and k.revoked_at is null`,
      [projectId],
    );
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      value: this.#box.decrypt(row.ciphertext, projectSecretContext(projectId, ProjectSecret.apiKey(row.id))),
    }));
  }
}

/** Two writers of one project's keys (a rotation and a retried provisioning) take turns. */
async function lockProject(client: PoolClient, projectId: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from platform.projects where id = $1 for update', [projectId]);
  if (!rowCount) throw new Error(`project ${projectId} does not exist`);
}
