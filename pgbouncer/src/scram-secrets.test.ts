import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { quoteIdent, withClient } from '@launchdb/common';
import { readScramSecrets } from './scram-secrets.ts';

describe('readScramSecrets', () => {
  const serverUrl = inject('postgresUrl');
  const suffix = randomBytes(4).toString('hex');
  const roles = { scram: `scram_${suffix}`, md5: `md5_${suffix}`, none: `nopass_${suffix}` };

  beforeAll(() =>
    withClient(serverUrl, async (client) => {
      await client.query(`create role ${quoteIdent(roles.scram)} login password 'secret one'`);
      await client.query(`create role ${quoteIdent(roles.none)} login`);
      await client.query(`set password_encryption = 'md5'`);
      await client.query(`create role ${quoteIdent(roles.md5)} login password 'secret two'`);
    }),
  );
  afterAll(() =>
    withClient(serverUrl, async (client) => {
      for (const role of Object.values(roles)) await client.query(`drop role if exists ${quoteIdent(role)}`);
    }),
  );

  it("returns each role's SCRAM verifier once, in the order asked", async () => {
    const secrets = await withClient(serverUrl, (client) => readScramSecrets(client, [roles.scram, 'postgres', roles.scram]));
    expect(secrets.map((entry) => entry.name)).toEqual([roles.scram, 'postgres']);
    for (const entry of secrets) expect(entry.secret).toMatch(/^SCRAM-SHA-256\$\d+:[^$]+\$[^:]+:.+$/);
  });

  it.each([
    ['a role that does not exist', `missing_${suffix}`, /does not exist/],
    ['a role without a password', roles.none, /has no password/],
    ['a role with an md5 password', roles.md5, /not a SCRAM-SHA-256 secret/],
  ])('refuses %s', async (_, role, message) => {
    await expect(withClient(serverUrl, (client) => readScramSecrets(client, [roles.scram, role]))).rejects.toThrow(message);
  });

  it('says so when the connection is not a superuser', async () => {
    const url = new URL(serverUrl);
    url.username = roles.scram;
    url.password = 'secret one';
    await expect(withClient(url.toString(), (client) => readScramSecrets(client, [roles.scram]))).rejects.toThrow(/needs a superuser connection/);
  });
});
