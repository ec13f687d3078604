import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { withRequestRole } from './request-role.ts';

describe('ProjectDirectory', () => {
  let testbed: ServiceTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    testbed = await createServiceTestbed();
    project = await testbed.createProject();
  });
  afterAll(() => testbed?.close());

  it('finds an active project with its secret and tells its keys apart', async () => {
    const found = await testbed.directory.lookup(project.id);
    expect(found.state).toBe('active');
    if (found.state !== 'active') return;
    expect(found.project.jwtSecret).toBe(project.jwtSecret);
    expect(found.project.apiKeyRole(project.anonKey)).toBe('anon');
    expect(found.project.apiKeyRole(project.serviceKey)).toBe('service_role');
    expect(found.project.apiKeyRole(`${project.anonKey}x`)).toBeUndefined();
  });

  it('answers missing for unknown and malformed ids', async () => {
    expect(await testbed.directory.lookup('nosuchproject')).toEqual({ state: 'missing' });
    expect(await testbed.directory.lookup('../etc')).toEqual({ state: 'missing' });
  });

  it('runs a transaction as the request role with the claims auth.uid() reads, and nothing outlives it', async () => {
    const found = await testbed.directory.lookup(project.id);
    if (found.state !== 'active') throw new Error('not active');
    const sub = '6f1c1f0e-4a47-4c39-9a55-0c0d39c9a2f1';
    const seen = await withRequestRole(found.project.db, { role: 'authenticated', claims: { sub, role: 'authenticated' } }, async (client) => {
      const { rows } = await client.query<{ who: string; uid: string; role: string }>('select current_user as who, auth.uid()::text as uid, auth.role() as role');
      return rows[0];
    });
    expect(seen).toEqual({ who: 'authenticated', uid: sub, role: 'authenticated' });
    const after = await found.project.db.query<{ who: string; claims: string | null }>(
      `select current_user as who, nullif(current_setting('request.jwt.claims', true), '') as claims`,
    );
    expect(after.rows[0]!.claims).toBeNull();
    expect(after.rows[0]!.who).toMatch(/_authenticator$/);
  });

  it('refuses to switch to a role that is not a request role', async () => {
    const found = await testbed.directory.lookup(project.id);
    if (found.state !== 'active') throw new Error('not active');
    await expect(withRequestRole(found.project.db, { role: 'postgres' as 'anon', claims: {} }, async () => 1)).rejects.toThrow(/not a request role/);
  });

  it('sees rotated keys once told to forget, and a deleted project as missing', async () => {
    const other = await testbed.createProject();
    const rotated = await testbed.rotateKeys(other.id);
    const found = await testbed.directory.lookup(other.id);
    if (found.state !== 'active') throw new Error('not active');
    expect(found.project.apiKeyRole(other.anonKey)).toBeUndefined();
    expect(found.project.apiKeyRole(rotated.anonKey)).toBe('anon');
    expect(found.project.jwtSecret).toBe(rotated.jwtSecret);
    await testbed.deleteProject(other.id);
    expect(await testbed.directory.lookup(other.id)).toEqual({ state: 'missing' });
  });
});
