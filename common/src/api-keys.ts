import type pg from 'pg';
import { projectSecretContext, ProjectSecret } from './projects.ts';
import type { SecretBox } from './secrets.ts';

/** A project's keys in force, decrypted; absent when the project has none of that role. */
export interface LiveApiKeys {
  anon: string | undefined;
  service_role: string | undefined;
}

/**
 * The project's keys in force: its unrevoked platform.api_keys rows, decrypted. A rotation
 * revokes the old rows, so an old key is simply absent here.
 */
export async function readLiveApiKeys(db: pg.Pool | pg.PoolClient, secrets: SecretBox, projectId: string): Promise<LiveApiKeys> {
  const { rows } = await db.query<{ id: string; role: 'anon' | 'service_role'; ciphertext: string }>(
    `select k.id, k.role, s.ciphertext
       from platform.api_keys k join platform.secrets s on s.id = k.secret_id
      where k.project_id = $1 and k.revoked_at is null`,
    [projectId],
  );
  const keys: LiveApiKeys = { anon: undefined, service_role: undefined };
  for (const row of rows) keys[row.role] = secrets.decrypt(row.ciphertext, projectSecretContext(projectId, ProjectSecret.apiKey(row.id)));
  return keys;
}
