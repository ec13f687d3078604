import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { projectNames } from '@launchdb/common/projects';
import { findPgBouncerBinary } from '@launchdb/pgbouncer';
import { parsePrometheusText, sampleValue, samplesNamed } from '@launchdb/testkit/prometheus-text';
import { reservePort } from '@launchdb/testkit/ports';
import { cleanPlate, WATER_HEATER_PLATE } from '@launchdb/worker/testing/rating-plates';
import { runLaunchdb } from './testing/launchdb-cli.ts';
import { startRunningPlatform, TEST_OPERATOR, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';


interface Capture {
  status: string;
  result: { model?: string; serial?: string; brand?: string; suggestion?: { kind: string; template_key?: string } } | null;
  error: string | null;
}

/**
 * Haven's worker as `launchdb up` runs it: a homeowner photographs a rating plate with
 * supabase-js (upload, then the capture's row) and within seconds the row says the model and
 * serial; accepting it adds the asset with the photo as its document, readable by the household.
 */
describe('the worker on the running platform', () => {
  let running: RunningPlatform;
  let project: RunningProject;
  let supabase: SupabaseClient;
  let userId: string;
  let house: string;
  let managerPort: number;

  const processed = async (id: string, timeoutMs: number): Promise<Capture> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { data, error } = await supabase.from('captures').select('status, result, error').eq('id', id).single<Capture>();
      expect(error).toBeNull();
      if (data!.status === 'processed' || data!.status === 'failed') return data!;
      if (Date.now() > deadline) throw new Error(`capture ${id} still ${data!.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    managerPort = await reservePort();
    running = await startRunningPlatform({ LAUNCHDB_MANAGER_PORT: String(managerPort) });
    project = await running.createProject('Haven', 'haven');
    supabase = createClient(project.urls.supabase, project.keys.anon, {
      realtime: { transport: ws as never },
      auth: { persistSession: false, autoRefreshToken: false, storageKey: 'worker-test' },
    });
    // no SMTP configured: the sign-up is confirmed at once
    const signUp = await supabase.auth.signUp({ email: `plate-${Date.now()}@haven.example.com`, password: 'correct horse battery staple' });
    expect(signUp.error).toBeNull();
    userId = signUp.data.user!.id;
    const home = await supabase.from('properties').insert({ name: 'Home' }).select('id').single<{ id: string }>();
    expect(home.error).toBeNull();
    house = home.data!.id;
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('reads a rating plate photo within seconds, and accept_capture adds the asset with its photo', async () => {
    const id = randomUUID();
    const path = `${userId}/${id}.png`;
    const upload = await supabase.storage.from('captures').upload(path, new Blob([new Uint8Array(await cleanPlate(WATER_HEATER_PLATE.lines))], { type: 'image/png' }));
    expect(upload.error).toBeNull();
    expect((await supabase.from('captures').insert({ id, kind: 'photo', storage_path: path, property_id: house })).error).toBeNull();

    const capture = await processed(id, 45_000);
    expect(capture).toMatchObject({
      status: 'processed',
      result: { brand: 'Rheem', model: WATER_HEATER_PLATE.model, serial: WATER_HEATER_PLATE.serial, suggestion: { kind: 'add_asset', template_key: 'water_heater_tank' } },
    });

    const accepted = await supabase.rpc('accept_capture', { capture_id: id, property_id: house });
    expect(accepted.error).toBeNull();
    const made = accepted.data as { asset: { id: string; model: string; serial_number: string }; document: { storage_path: string } };
    expect(made.asset).toMatchObject({ model: WATER_HEATER_PLATE.model, serial_number: WATER_HEATER_PLATE.serial });
    const tasks = await supabase.from('maintenance_tasks').select('title').eq('asset_id', made.asset.id);
    expect(tasks.data!.length).toBeGreaterThan(0);
    // the photo is the asset's document, in the property's folder, once the worker copied it
    const deadline = Date.now() + 10_000;
    let file: Blob | null = null;
    while (!file && Date.now() < deadline) {
      const download = await supabase.storage.from('documents').download(made.document.storage_path);
      file = download.data;
      if (!file) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(file?.size).toBe((await cleanPlate(WATER_HEATER_PLATE.lines)).length);
  }, 90_000);

  it('answers a note at once: the project is active, so its NOTIFY reaches a listening worker', async () => {
    const started = Date.now();
    const { data, error } = await supabase.from('captures').insert({ kind: 'text', body: 'tested the water heater relief valve', property_id: house }).select('id').single<{ id: string }>();
    expect(error).toBeNull();
    const capture = await processed(data!.id, 5_000);
    expect(capture.status).toBe('processed');
    expect(capture.result).toMatchObject({ suggestion: { kind: 'complete_task' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs a project\'s due sweep for operators (API and CLI): without SMTP the reminders are recorded as skipped; /api/health shows the queue', async () => {
    expect((await supabase.from('notification_preferences').upsert({ digest_hour: 0 }, { onConflict: 'user_id' })).error).toBeNull();
    expect((await supabase.from('maintenance_tasks').insert({ property_id: house, title: 'Check the sump pit', next_due_on: new Date().toISOString().slice(0, 10) })).error).toBeNull();
    const swept = await running.api<{ skipped: Array<{ user_id: string; reason: string }> }>('POST', `/api/projects/${project.id}/worker/due-sweep`);
    expect(swept.status).toBe(200);
    expect(swept.body.skipped).toEqual([{ user_id: userId, reminders: 1, reason: 'no smtp' }]);

    const elsewhere = await mkdtemp(join(tmpdir(), 'launchdb-worker-cli-'));
    try {
      const cli = await runLaunchdb(['worker', 'due-sweep', project.id], {
        cwd: elsewhere,
        env: { HOME: elsewhere, LAUNCHDB_URL: running.url, LAUNCHDB_ADMIN_EMAIL: TEST_OPERATOR.email, LAUNCHDB_ADMIN_PASSWORD: TEST_OPERATOR.password, LAUNCHDB_NO_TOKEN_CACHE: '1' },
      });
      // reminded once already today: nothing more
      expect(cli).toMatchObject({ code: 0, stdout: `nothing due to remind in ${project.id}\n` });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }

    const health = await fetch(`${running.url}/api/health`).then((response) => response.json() as Promise<{ worker: { queue: Record<string, number>; listen_connections: number; jobs: { done: number } } }>);
    expect(health.worker.listen_connections).toBe(1);
    expect(health.worker.jobs.done).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('serves every part\'s metrics on the internal port, never the public one: requests, data APIs, the worker\'s queue, backups, PgBouncer', async () => {
    const publicAnswer = await fetch(`${running.url}/metrics`);
    expect(await publicAnswer.text()).not.toContain('launchdb_');
    const scrape = async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${managerPort}/metrics`)).text());
    const before = await scrape();
    expect(sampleValue(before, 'launchdb_http_requests_total', { group: 'db', status_class: '2xx', project: project.id, service: 'launchdb' })).toBeGreaterThan(0);
    expect(sampleValue(before, 'launchdb_data_apis', { state: 'awake' })).toBe(1);
    expect(sampleValue(before, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(0);
    expect(sampleValue(before, 'launchdb_worker_jobs_total', { outcome: 'done' })).toBeGreaterThanOrEqual(2);
    expect(samplesNamed(before, 'launchdb_backup_age_seconds').filter((sample) => sample.labels.project === project.id)).toEqual([]);
    if (findPgBouncerBinary()) {
      expect(sampleValue(before, 'launchdb_pgbouncer_up')).toBe(1);
      expect(samplesNamed(before, 'launchdb_pgbouncer_servers').some((sample) => sample.labels.database === projectNames(project.id).database)).toBe(true);
    }

    expect((await running.api('POST', '/api/backups', { project: project.id })).status).toBe(201);
    expect(sampleValue(await scrape(), 'launchdb_backup_age_seconds', { project: project.id })).toBeLessThan(60);
  }, 60_000);
});
