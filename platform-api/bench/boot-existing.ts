/**
 * `node --import tsx platform-api/bench/boot-existing.ts <data folder> <operator email> <password>`:
 * `launchdb up` on a data folder that already holds projects (a copy of the one bench:projects
 * fills, taken with pg_basebackup while it runs): how long start() takes to be ready, and the
 * first request to projects whose data APIs are stopped and whose PostgreSQL caches are empty
 * (PostgreSQL was just started), one before the background work of the boot is done and one a
 * while later. Prints the figures; writes nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { findFreePort } from '@launchdb/common';
import { launchdbConfigSchema } from '../../cli/src/config.ts';
import { EmbeddedPlatform } from '../../cli/src/embedded-platform.ts';

const [dataDir, email, password] = process.argv.slice(2);
if (!dataDir || !email || !password) throw new Error('usage: boot-existing.ts <data folder> <operator email> <password>');
const log = (line: string): void => void process.stderr.write(`boot: ${line}\n`);

const config = launchdbConfigSchema.parse({
  LAUNCHDB_DATA_DIR: dataDir,
  LAUNCHDB_PORT: String(await findFreePort()),
  LAUNCHDB_POSTGRES_PORT: String(await findFreePort()),
  LAUNCHDB_PGBOUNCER_PORT: String(await findFreePort()),
  LAUNCHDB_ADMIN_EMAIL: email,
  LAUNCHDB_ADMIN_PASSWORD: password,
  LOG_LEVEL: 'warn',
});
const platform = new EmbeddedPlatform(config);
process.on('exit', () => platform.killChildrenNow());
const cpu0 = process.cpuUsage();
let t0 = performance.now();
const report = await platform.start();
const bootMs = performance.now() - t0;
const bootCpu = process.cpuUsage(cpu0);
log(`ready in ${bootMs.toFixed(0)} ms (${((bootCpu.user + bootCpu.system) / 1000).toFixed(0)} ms CPU of this process)`);
try {
  const call = async <T>(method: string, path: string, token?: string, body?: unknown): Promise<T> => {
    const response = await request(`${report.url}${path}`, {
      method: method as 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as T;
  };
  const { access_token: token } = await call<{ access_token: string }>('POST', '/api/auth/login', undefined, { email, password });
  const listed = await call<{ projects: Array<{ id: string }> } | Array<{ id: string }>>('GET', '/api/projects', token);
  const projects = Array.isArray(listed) ? listed : listed.projects;
  log(`${projects.length} projects`);
  const firstRequest = async (id: string): Promise<number> => {
    const { keys } = await call<{ keys: { anon: string } }>('GET', `/api/projects/${id}`, token);
    const started = performance.now();
    for (;;) {
      const response = await request(`${report.url}/db/${id}/`, { headers: { apikey: keys.anon } });
      await response.body.dump();
      if (response.statusCode === 200) return performance.now() - started;
      await sleep(5);
    }
  };
  t0 = performance.now();
  const first = await firstRequest(projects.at(-1)!.id);
  log(`first 200 from the newest project: ${first.toFixed(0)} ms`);
  const second = await firstRequest(projects[Math.floor(projects.length / 2)]!.id);
  log(`and from another: ${second.toFixed(0)} ms`);
  await sleep(30_000);
  const later = await firstRequest(projects[Math.floor(projects.length / 3)]!.id);
  log(`30 s later, from a third: ${later.toFixed(0)} ms`);
  process.stdout.write(`${JSON.stringify({ projects: projects.length, bootMs, bootCpuMs: (bootCpu.user + bootCpu.system) / 1000, first, second, later })}\n`);
} finally {
  await platform.stop();
}
