import { projectSecretContext, readProjectSecret, type Pool, type PoolClient, type SecretBox } from '@launchdb/common';

/** A project's rows of platform.secrets, encrypted under the master key and bound to (project, name). */
export class ProjectSecrets {
  readonly #db: Pool;
  readonly #box: SecretBox;

  constructor(db: Pool, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  read(projectId: string, name: string): Promise<string | undefined> {
    return readProjectSecret(this.#db, this.#box, projectId, name);
  }

  /**
   * The stored value, or a new one from `generate` stored now. A retry after a crash finds the
   * value of the first attempt, so a password set on a role is never forgotten.
   */
  async ensure(projectId: string, name: string, generate: () => string): Promise<string> {
    const existing = await this.read(projectId, name);
    if (existing !== undefined) return existing;
    await this.#db.query(
      `insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3)
       on conflict (coalesce(project_id, ''), name) do nothing`,
      [projectId, name, this.#box.encrypt(generate(), projectSecretContext(projectId, name))],
    );
    const stored = await this.read(projectId, name);
    if (stored === undefined) throw new Error(`secret ${name} of project ${projectId} was not stored`);
    return stored;
  }

  /** Inserts a secret inside the caller's transaction and returns its row id. */
  async insert(client: PoolClient, projectId: string, name: string, value: string): Promise<string> {
    const { rows } = await client.query<{ id: string }>(
      'insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3) returning id',
      [projectId, name, this.#box.encrypt(value, projectSecretContext(projectId, name))],
    );
    return rows[0]!.id;
  }

  /** Replaces a secret's value inside the caller's transaction (key rotation). */
  async replace(client: PoolClient, projectId: string, name: string, value: string): Promise<void> {
    const { rowCount } = await client.query(
      'update platform.secrets set ciphertext = $3, rotated_at = now() where project_id = $1 and name = $2',
      [projectId, name, this.#box.encrypt(value, projectSecretContext(projectId, name))],
    );
    if (!rowCount) throw new Error(`project ${projectId} has no secret ${name} to replace`);
  }
}
