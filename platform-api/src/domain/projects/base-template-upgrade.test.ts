import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNames, withClient, withDatabase } from '@launchdb/common';
import { ProjectTemplates, BASE_TEMPLATE_FOLDER } from './project-templates.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from './projects.test-support.ts';

describe('upgrading the base template of existing projects', () => {
  let platform: TestPlatform;
  let baseFolder: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    baseFolder = await mkdtemp(join(tmpdir(), 'launchdb-base-template-'));
    await cp(BASE_TEMPLATE_FOLDER, baseFolder, { recursive: true });
  });
  afterAll(async () => {
    await platform?.close();
    if (baseFolder) await rm(baseFolder, { recursive: true, force: true });
  });

  it('applies a newer base template file to every active project, once', async () => {
    const provisioner = platform.provisioner({ templates: new ProjectTemplates({ base: baseFolder }) });
    const ids = [randomProjectId(), randomProjectId()];
    for (const id of ids) platform.created.add(id);
    await Promise.all(ids.map((id) => provisioner.create({ id, name: id })));

    // what a LaunchDB upgrade ships: one more file in the base template
    await writeFile(join(baseFolder, '9999_upgrade_probe.sql'), 'create table launchdb.upgrade_probe (id int);\n');
    const first = await provisioner.upgradeBaseTemplates();
    expect(first.failed).toEqual([]);
    expect(first.upgraded.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const probe = await withClient(withDatabase(platform.adminUrl, projectNames(id).database), (client) =>
        client.query(`select to_regclass('launchdb.upgrade_probe') is not null as present`),
      );
      expect(probe.rows[0]).toEqual({ present: true });
    }
    expect((await provisioner.upgradeBaseTemplates()).upgraded).toEqual([]);
  });
});
