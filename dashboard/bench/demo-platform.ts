import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reservePort } from '@launchdb/testkit/ports';
import { launchdbConfigSchema } from '../../cli/src/config.ts';
import { EmbeddedPlatform } from '../../cli/src/embedded-platform.ts';

export interface DemoPlatform {
  url: string;
  projectId: string;
  demo: { email: string; password: string };
  operator: { email: string; password: string };
  stop(): Promise<void>;
}

/**
 * `launchdb up` in a temporary data folder with one Haven project holding the demo household
 * (a house, a dozen assets, a year of history): what the screenshots and the dashboard benchmark
 * show and measure.
 */
export async function startDemoPlatform(): Promise<DemoPlatform> {
  const workdir = await mkdtemp(join(tmpdir(), 'launchdb-demo-'));
  await chmod(workdir, 0o755);
  const operator = { email: 'ops@launchdb.local', password: 'demo-operator-password-1' };
  const platform = new EmbeddedPlatform(
    launchdbConfigSchema.parse({
      LAUNCHDB_DATA_DIR: join(workdir, 'data'),
      LAUNCHDB_PORT: String(await reservePort()),
      LAUNCHDB_POSTGRES_PORT: String(await reservePort()),
      LAUNCHDB_PGBOUNCER_PORT: String(await reservePort()),
      LAUNCHDB_ADMIN_EMAIL: operator.email,
      LAUNCHDB_ADMIN_PASSWORD: operator.password,
      LOG_LEVEL: 'silent',
    }),
  );
  const stop = async (): Promise<void> => {
    await platform.stop();
    await rm(workdir, { recursive: true, force: true });
  };
  try {
    const { url } = await platform.start();
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operator) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const created = await fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Haven demo', template: 'haven', demo: true }),
    });
    const project = (await created.json()) as { id: string; demo?: { email: string; password: string } };
    if (created.status !== 201 || !project.demo) throw new Error(`the demo project was not created: ${created.status} ${JSON.stringify(project)}`);
    return { url, projectId: project.id, demo: project.demo, operator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
