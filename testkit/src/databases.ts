import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { quoteIdent, withClient, withDatabase } from '@launchdb/common/db';

/** A fresh, empty database on the run's PostgreSQL, so test files never see each other's rows. */
export async function createTestDatabase(prefix = 'test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const serverUrl = inject('postgresUrl');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`create database ${quoteIdent(name)}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => withClient(serverUrl, (client) => client.query(`drop database if exists ${quoteIdent(name)} with (force)`)).then(() => undefined),
  };
}
