import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { projectSecretContext } from './projects.ts';
import type { SecretBox } from './secrets.ts';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** What is shown of an S3 access key after its creation: never the secret. */
export interface S3AccessKeyRecord {
  access_key_id: string;
  description: string;
  created_at: string;
}

function keyContext(projectId: string, accessKeyId: string): string {
  return projectSecretContext(projectId, `s3_access_key:${accessKeyId}`);
}

const RECORD_COLUMNS = `access_key_id, description, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`;

/**
 * A new S3 access key of a project: its id (32 hex digits, as Supabase's) and its secret (64),
 * the secret stored encrypted and returned this once.
 */
export async function createS3AccessKey(
  db: Queryable,
  secrets: SecretBox,
  projectId: string,
  description: string,
): Promise<S3AccessKeyRecord & { secret_access_key: string }> {
  const accessKeyId = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const { rows } = await db.query<S3AccessKeyRecord>(
    `insert into platform.project_s3_access_keys (access_key_id, project_id, description, secret_ciphertext)
     values ($1, $2, $3, $4) returning ${RECORD_COLUMNS}`,
    [accessKeyId, projectId, description, secrets.encrypt(secret, keyContext(projectId, accessKeyId))],
  );
  return { ...rows[0]!, secret_access_key: secret };
}

export async function listS3AccessKeys(db: Queryable, projectId: string): Promise<S3AccessKeyRecord[]> {
  const { rows } = await db.query<S3AccessKeyRecord>(
    `select ${RECORD_COLUMNS} from platform.project_s3_access_keys where project_id = $1 order by created_at, access_key_id`,
    [projectId],
  );
  return rows;
}

/** Revokes a key at once; false when the project has no such key. */
export async function deleteS3AccessKey(db: Queryable, projectId: string, accessKeyId: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from platform.project_s3_access_keys where project_id = $1 and access_key_id = $2', [projectId, accessKeyId]);
  return (rowCount ?? 0) > 0;
}

/** The secret of a project's access key, for verifying a signature; undefined when the project has no such key. */
export async function readS3AccessKeySecret(db: Queryable, secrets: SecretBox, projectId: string, accessKeyId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ secret_ciphertext: string }>(
    'select secret_ciphertext from platform.project_s3_access_keys where project_id = $1 and access_key_id = $2',
    [projectId, accessKeyId],
  );
  const row = rows[0];
  return row === undefined ? undefined : secrets.decrypt(row.secret_ciphertext, keyContext(projectId, accessKeyId));
}
