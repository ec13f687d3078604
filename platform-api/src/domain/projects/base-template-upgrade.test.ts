import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNames, withClient, withDatabase } from '@launchdb/common';
import { ProjectTemplates, BASE_TEMPLATE_FOLDER } from './project-templates.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from './projects.test-support.ts';

describe('upgrading the templates of existing projects', () => {
  let platform: TestPlatform;
  let baseFolder: string;
  let appsFolder: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    baseFolder = await mkdtemp(join(tmpdir(), 'launchdb-base-template-'));
    await cp(BASE_TEMPLATE_FOLDER, baseFolder, { recursive: true });
    appsFolder = await mkdtemp(join(tmpdir(), 'launchdb-app-templates-'));
    await mkdir(join(appsFolder, 'probe'));
    await writeFile(join(appsFolder, 'probe', '0001_things.sql'), 'create table public.things (id int);\n');
  });
  afterAll(async () => {
    await platform?.close();
    if (baseFolder) await rm(baseFolder, { recursive: true, force: true });
    if (appsFolder) await rm(appsFolder, { recursive: true, force: true });
  });

  it('applies a newer base template file to every active project, once', async () => {
    const provisioner = platform.provisioner({ templates: new ProjectTemplates({ base: baseFolder }) });
    const ids = [randomProjectId(), randomProjectId()];
    for (const id of ids) platform.created.add(id);
    await Promise.all(ids.map((id) => provisioner.create({ id, name: id })));

    // what a LaunchDB upgrade ships: one more file in the base template
    await writeFile(join(baseFolder, '9999_upgrade_probe.sql'), 'create table launchdb.upgrade_probe (id int);\n');
    const first = await provisioner.upgradeTemplates();
    expect(first.failed).toEqual([]);
    expect(first.upgraded.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const probe = await withClient(withDatabase(platform.adminUrl, projectNames(id).database), (client) =>
        client.query(`select to_regclass('launchdb.upgrade_probe') is not null as present`),
      );
      expect(probe.rows[0]).toEqual({ present: true });
    }
    const again = await provisioner.upgradeTemplates();
    expect(again.upgraded).toEqual([]);
    // current projects are not even connected to: their recorded fingerprint matches the files
    expect(again.checked.filter((id) => ids.includes(id))).toEqual([]);
  });

  it("does not connect at boot to a project made with today's files, and looks again at one restored from an older dump", async () => {
    const provisioner = platform.provisioner({ templates: new ProjectTemplates({ base: baseFolder }) });
    const id = randomProjectId();
    platform.created.add(id);
    await provisioner.create({ id, name: id });
    expect((await provisioner.upgradeTemplates()).checked).not.toContain(id);

    // an older dump restored: its database lacks a file its fingerprint says it has
    await withClient(withDatabase(platform.adminUrl, projectNames(id).database), (client) =>
      client.query(`drop table launchdb.upgrade_probe; delete from launchdb.template_migrations where version = '9999'`),
    );
    expect(await provisioner.upgradeTemplatesOf(id)).toEqual(['9999_upgrade_probe']);
  });

  it("applies an app template's newer file to the projects made with it, as their owner, and reloads their data API's schema", async () => {
    const provisioner = platform.provisioner({ templates: new ProjectTemplates({ base: baseFolder, apps: appsFolder }) });
    const [withApp, without] = [randomProjectId(), randomProjectId()];
    platform.created.add(withApp).add(without);
    await Promise.all([provisioner.create({ id: withApp, name: withApp, template: 'probe' }), provisioner.create({ id: without, name: without })]);

    await writeFile(join(appsFolder, 'probe', '0002_more_things.sql'), 'create table public.more_things (id int);\n');
    const reloads = await withClient(withDatabase(platform.adminUrl, projectNames(withApp).database), async (listener) => {
      await listener.query('listen pgrst');
      const heard: string[] = [];
      listener.on('notification', (message) => void heard.push(message.payload ?? ''));
      const outcome = await provisioner.upgradeTemplates();
      expect(outcome.failed).toEqual([]);
      expect(outcome.upgraded).toContain(withApp);
      expect(outcome.upgraded).not.toContain(without);
      await listener.query('select 1');
      return heard;
    });
    expect(reloads).toEqual(['reload schema']);
    const owner = await withClient(withDatabase(platform.adminUrl, projectNames(withApp).database), (client) =>
      client.query(`select tableowner from pg_tables where schemaname = 'public' and tablename = 'more_things'`),
    );
    expect(owner.rows).toEqual([{ tableowner: projectNames(withApp).owner }]);
    expect((await provisioner.upgradeTemplates()).upgraded).toEqual([]);
  });
});
