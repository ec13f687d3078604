import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateMasterKey, parseMasterKey, quoteIdent, quoteLiteral, SecretBox, withClient } from '@launchdb/common';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { preparePlatformDatabase, scramVerifies } from './platform-database.ts';

// The platform role is one role of the whole test cluster, which other test files prepare too:
// these tests look at what stays in their own database, and at verifiers of a role of their own.
describe('preparePlatformDatabase', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
  const storedPassword = (admin: Parameters<typeof preparePlatformDatabase>[0]) =>
    admin
      .query<{ ciphertext: string }>(`select ciphertext from platform.secrets where project_id is null and name = 'platform_role_password'`)
      .then(({ rows }) => secrets.decrypt(rows[0]!.ciphertext, 'platform:platform_role_password'));

  beforeAll(async () => {
    database = await createTestDatabase('platform_database');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('keeps a generated password, then the one it is given (PLATFORM_DB_PASSWORD), and keeps that across boots', async () => {
    await withClient(database.url, async (admin) => {
      const generated = await preparePlatformDatabase(admin, secrets);
      expect(await storedPassword(admin)).toBe(generated.rolePassword);
      expect((await preparePlatformDatabase(admin, secrets)).rolePassword).toBe(generated.rolePassword);

      const configured = randomBytes(24).toString('hex');
      expect((await preparePlatformDatabase(admin, secrets, { rolePassword: configured })).rolePassword).toBe(configured);
      expect(await storedPassword(admin)).toBe(configured);
      // a boot without it (launchdb up on the same database) goes on with the configured one
      expect((await preparePlatformDatabase(admin, secrets)).rolePassword).toBe(configured);
    });
  });
});

describe('scramVerifies', () => {
  const role = `scram_check_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  let verifier: string;

  beforeAll(async () => {
    verifier = await withClient(inject('postgresUrl'), async (admin) => {
      await admin.query(`create role ${quoteIdent(role)} password ${quoteLiteral(password)}`);
      return (await admin.query<{ rolpassword: string }>('select rolpassword from pg_authid where rolname = $1', [role])).rows[0]!.rolpassword;
    });
  });
  afterAll(async () => {
    await withClient(inject('postgresUrl'), (admin) => admin.query(`drop role if exists ${quoteIdent(role)}`));
  });

  it("accepts PostgreSQL's own verifier of the password, and nothing else", () => {
    expect(verifier).toMatch(/^SCRAM-SHA-256\$/);
    expect(scramVerifies(verifier, password)).toBe(true);
    expect(scramVerifies(verifier, `${password}x`)).toBe(false);
    expect(scramVerifies(null, password)).toBe(false);
    expect(scramVerifies('md5abcdef', password)).toBe(false);
  });
});
