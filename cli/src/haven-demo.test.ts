import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { runLaunchdb } from './testing/launchdb-cli.ts';
import { startRunningPlatform, TEST_OPERATOR, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';


type ProjectWithDemo = RunningProject & { demo?: { email: string; password: string } };

const daysAgo = (date: string): number => Math.round((Date.now() - Date.parse(`${date}T12:00:00Z`)) / 86_400_000);

/**
 * `launchdb project create … --template haven --demo` (`POST /api/projects` with `"demo": true`)
 * on the platform as `launchdb up` runs it: the demo homeowner signs in through supabase-js with
 * the password printed once, and finds a house with a year of history, as the app will show it.
 */
describe('a Haven project with demo data', () => {
  let running: RunningPlatform;
  let project: ProjectWithDemo;
  let printed: string;
  let password: string;
  let homeowner: SupabaseClient;

  beforeAll(async () => {
    running = await startRunningPlatform();
    const id = `demo${Date.now().toString(36)}`;
    printed = await createWithCli(running, ['Haven demo', '--id', id, '--template', 'haven', '--demo']);
    password = /^ {2}password {3}(\S+)/m.exec(printed)?.[1] ?? '';
    project = (await running.api<ProjectWithDemo>('GET', `/api/projects/${id}`)).body;
    homeowner = createClient(project.urls.supabase, project.keys.anon, {
      realtime: { transport: ws as never },
      auth: { persistSession: false, autoRefreshToken: false, storageKey: 'haven-demo' },
    });
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('prints the demo homeowner and a random password once; the platform never shows it again', () => {
    expect(printed).toContain('  demo user  demo@haven.local\n');
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(project.demo).toBeUndefined();
    expect(JSON.stringify(project)).not.toContain(password);
  });

  it('signs the demo homeowner in, who finds the house, its zones and a dozen assets from the catalogue', async () => {
    const signIn = await homeowner.auth.signInWithPassword({ email: 'demo@haven.local', password });
    expect(signIn.error).toBeNull();
    expect(signIn.data.user).toMatchObject({ email: 'demo@haven.local', email_confirmed_at: expect.any(String) });

    const houses = await homeowner.from('properties').select('id, name, kind, zones(name), assets(name, template_key)');
    expect(houses.error).toBeNull();
    expect(houses.data).toHaveLength(1);
    const house = houses.data![0]!;
    expect(house).toMatchObject({ name: 'Maple Street house', kind: 'house' });
    expect(house.zones.map((zone) => zone.name)).toEqual(expect.arrayContaining(['Basement', 'Kitchen', 'Garage', 'Outside']));
    expect(house.assets.length).toBeGreaterThanOrEqual(12);
    expect(house.assets.every((asset) => typeof asset.template_key === 'string')).toBe(true);
  });

  it('has recurring tasks with due dates, some overdue, and about a year of logs', async () => {
    const tasks = await homeowner.from('maintenance_tasks').select('title, next_due_on, last_done_on, recurrence, recurrence_months').eq('active', true);
    expect(tasks.error).toBeNull();
    expect(tasks.data!.length).toBeGreaterThanOrEqual(30);
    expect(tasks.data!.every((task) => task.next_due_on !== null)).toBe(true);
    expect(tasks.data!.some((task) => daysAgo(task.next_due_on) > 0)).toBe(true);
    expect(tasks.data!.some((task) => daysAgo(task.next_due_on) <= 0 && daysAgo(task.next_due_on) >= -30)).toBe(true);

    const logs = await homeowner.from('logs').select('performed_on, cost, task_id').order('performed_on');
    expect(logs.error).toBeNull();
    expect(logs.data!.length).toBeGreaterThanOrEqual(100);
    expect(daysAgo(logs.data![0]!.performed_on)).toBeGreaterThan(300);
    expect(daysAgo(logs.data![0]!.performed_on)).toBeLessThanOrEqual(400);
    expect(daysAgo(logs.data!.at(-1)!.performed_on)).toBeLessThan(31);
    expect(logs.data!.every((log) => log.task_id !== null)).toBe(true);
    expect(logs.data!.some((log) => log.cost !== null)).toBe(true);
  });

  it('draws the first screen from property_dashboard', async () => {
    const house = (await homeowner.from('properties').select('id').single()).data!;
    const dashboard = await homeowner.rpc('property_dashboard', { property_id: house.id });
    expect(dashboard.error).toBeNull();
    expect(dashboard.data).toMatchObject({
      property: { name: 'Maple Street house' },
      house_health: { score: expect.any(Number) },
      low_supplies: [expect.objectContaining({ name: 'Furnace filter 20x25x4 MERV 11' })],
      unprocessed_captures: expect.any(Number),
    });
    expect(dashboard.data.overdue_tasks.length).toBeGreaterThan(0);
    expect(dashboard.data.due_soon_tasks.length).toBeGreaterThan(0);
    expect(dashboard.data.recent_logs).toHaveLength(10);
  });

  it('refuses demo data without the haven template, or with an answer that would come before it (respond-async), creating nothing', async () => {
    const refused = await running.api<{ error: { code: string; message: string } }>('POST', '/api/projects', { id: 'plaindemo', name: 'Plain', demo: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('haven');

    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEST_OPERATOR) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const early = await fetch(`${running.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ id: 'asyncdemo', name: 'Async', template: 'haven', demo: true }),
    });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: { message: string } }).error.message).toContain('respond-async');

    for (const id of ['plaindemo', 'asyncdemo']) expect((await running.api('GET', `/api/projects/${id}`)).status).toBe(404);
  });
});

/** `launchdb project create <args>` from a folder of its own, told where the platform is; its stdout. */
async function createWithCli(running: RunningPlatform, args: string[]): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'launchdb-demo-cli-'));
  try {
    const { code, stdout, stderr } = await runLaunchdb(['project', 'create', ...args], {
      cwd,
      env: {
        XDG_CACHE_HOME: join(cwd, 'cache'),
        LAUNCHDB_URL: running.url,
        LAUNCHDB_ADMIN_EMAIL: TEST_OPERATOR.email,
        LAUNCHDB_ADMIN_PASSWORD: TEST_OPERATOR.password,
      },
    });
    if (code !== 0) throw new Error(`launchdb project create failed (${code}): ${stderr}`);
    return stdout;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
