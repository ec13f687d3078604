import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectNames, quoteIdent, withClient } from '@launchdb/common';
import { ensureProjectDatabase } from './project-database.ts';
import { randomProjectId } from './projects.test-support.ts';

describe('ensureProjectDatabase', () => {
  const names = projectNames(randomProjectId());
  const admin = <T>(work: Parameters<typeof withClient<T>>[1]) => withClient(inject('postgresUrl'), work);

  afterAll(async () => {
    await admin(async (client) => {
      await client.query(`drop database if exists ${quoteIdent(names.database)}`);
      await client.query(`drop role if exists ${quoteIdent(names.owner)}`);
    });
  });

  it('writes the new database to disk itself, between two checkpoints, rather than leaving its files to the next one', async () => {
    await admin(async (client) => {
      await client.query(`create role ${quoteIdent(names.owner)}`);
      const requested = async () => Number((await client.query<{ n: string }>('select checkpoints_req as n from pg_stat_bgwriter')).rows[0]!.n);
      const before = await requested();
      await ensureProjectDatabase(client, names);
      // FILE_COPY asks for a checkpoint before the copy and one after it; WAL_LOG asks for none
      expect((await requested()) - before).toBeGreaterThanOrEqual(2);
      const { rows } = await client.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [names.database]);
      expect(rows).toEqual([{ owner: names.owner }]);
      // a second call finds it and changes nothing
      await ensureProjectDatabase(client, names);
    });
  });
});
