import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { projectNames, readMigrations, withClient, withDatabase } from '@launchdb/common';
import { APP_TEMPLATES_FOLDER, BASE_TEMPLATE_FOLDER } from './project-templates.ts';
import { PROVISIONING_STEPS, type ProvisioningStep } from './provisioning-steps.ts';
import { createTestPlatform, projectFootprint, randomProjectId, type TestPlatform } from './projects.test-support.ts';

const cases = PROVISIONING_STEPS.flatMap((step) => (['before', 'after'] as const).map((when) => ({ step, when })));

/** Whether the failed run got to call the port of `portStep` before it stopped. */
function reached(portStep: ProvisioningStep, failed: { step: ProvisioningStep; when: 'before' | 'after' }): boolean {
  const at = PROVISIONING_STEPS.indexOf(failed.step);
  const port = PROVISIONING_STEPS.indexOf(portStep);
  return at > port || (at === port && failed.when === 'after');
}

describe('provisioning after a failure at any step', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform();
  });
  afterAll(async () => {
    await platform?.close();
  });

  it.concurrent.each(cases)('fails $when $step, then resumes to active with nothing duplicated', async (failure) => {
    const id = randomProjectId();
    platform.created.add(id);
    let armed = true;
    const provisioner = platform.provisioner({
      faults: (step, when) => {
        if (armed && step === failure.step && when === failure.when) {
          armed = false;
          throw new Error(`injected fault ${when} ${step}`);
        }
      },
    });

    await expect(provisioner.create({ id, name: `faulty ${id}`, template: 'haven' })).rejects.toMatchObject({
      status: 500,
      code: 'provisioning_failed',
      message: `provisioning failed at step ${failure.step}: injected fault ${failure.when} ${failure.step}`,
    });
    const { rows } = await platform.db.query('select status, failed_step, error from platform.projects where id = $1', [id]);
    expect(rows[0]).toEqual({ status: 'failed', failed_step: failure.step, error: `injected fault ${failure.when} ${failure.step}` });

    const verifier = () =>
      withClient(inject('postgresUrl'), async (admin) => (await admin.query('select rolpassword from pg_authid where rolname = $1', [projectNames(id).authenticator])).rows[0]?.rolpassword);
    const verifierBefore = await verifier();

    expect(await provisioner.resume(id)).toMatchObject({ status: 'active', failedStep: null, error: null });
    // PgBouncer keeps a copy of the SCRAM verifier: a resume must not re-salt the same password
    if (verifierBefore) expect(await verifier()).toBe(verifierBefore);

    const footprint = await projectFootprint(platform, id);
    expect(footprint).toMatchObject({ roles: [projectNames(id).authenticator, projectNames(id).owner].sort(), databases: 1, liveKeys: 2, totalKeys: 2 });
    expect(footprint.secrets).toHaveLength(5);
    expect(footprint.secrets.filter((name) => !name.startsWith('api_key:'))).toEqual(['authenticator_password', 'jwt_secret', 'owner_password']);
    const applied = await withClient(withDatabase(inject('postgresUrl'), projectNames(id).database), async (admin) => {
      const base = await admin.query('select count(*)::int as n from launchdb.template_migrations');
      const app = await admin.query('select count(*)::int as n from launchdb.app_template_migrations');
      const tables = await admin.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
      return { base: base.rows[0].n, app: app.rows[0].n, tables: tables.rows[0].n };
    });
    // every file of each template, once
    const files = { base: (await readMigrations(BASE_TEMPLATE_FOLDER)).length, app: (await readMigrations(join(APP_TEMPLATES_FOLDER, 'haven'))).length };
    expect(applied).toEqual({ ...files, tables: 12 });
    // the ports are idempotent: one entry and one running API, asked for once per run that got there
    expect(platform.pooler.entries.has(id)).toBe(true);
    expect(platform.pooler.count('add', id)).toBe(reached('pooler', failure) ? 2 : 1);
    expect(platform.dataApis.running.has(id)).toBe(true);
    expect(platform.dataApis.count('spawn', id)).toBe(reached('data_api', failure) ? 2 : 1);

    await provisioner.delete(id, id);
  });
});
