import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@launchdb/common/metrics';
import { parsePrometheusText, sampleValue } from '@launchdb/testkit/prometheus-text';
import type { CaptureWorker } from './capture-worker.ts';
import { startWorkerServer } from './http-server.ts';
import { registerWorkerMetrics } from './metrics.ts';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from './testing/haven-platform.ts';

/** The worker's /metrics, scraped over HTTP as Prometheus does, over a real Haven project. */
describe('worker metrics', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let owner: string;
  let worker: CaptureWorker;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    platform = await startHavenPlatform();
    haven = await platform.project();
    owner = await haven.user();
    worker = await platform.worker();
    await worker.sweep();
    const metrics = createMetricsRegistry('worker');
    registerWorkerMetrics(metrics, worker, { budgetMs: 2_000 });
    server = await startWorkerServer({ worker, metrics, host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await platform?.close();
  });

  const scrape = async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };
  // written as the superuser, not due for an hour: no claim races the scrape
  const waiting = (status: 'pending' | 'processing', createdSecondsAgo: number) =>
    haven.admin.query(
      `insert into captures (owner_id, kind, body, status, next_attempt_at, locked_by, lease_until, attempts, created_at)
       values ($1, 'text', 'gutter leaks', $2, now() + interval '1 hour', case when $2 = 'processing' then 'another-worker' end,
               case when $2 = 'processing' then now() + interval '1 hour' end, case when $2 = 'processing' then 1 else 0 end, now() - make_interval(secs => $3))`,
      [owner, status, createdSecondsAgo],
    );

  it('shows the captures waiting, per state, and the oldest one’s age, as the rows change', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending', service: 'worker' })).toBe(0);
    expect(sampleValue(before, 'launchdb_worker_queue_jobs', { kind: 'reminders', state: 'claimed' })).toBe(0);
    expect(sampleValue(before, 'launchdb_worker_oldest_job_age_seconds', { kind: 'captures' })).toBe(0);
    expect(sampleValue(before, 'launchdb_worker_projects', { state: 'served' })).toBe(1);

    await waiting('pending', 90);
    // the insert came through a request: the gateway tells the worker the project is active
    worker.projectActive(haven.id);
    const pending = await scrape();
    expect(sampleValue(pending, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(1);
    expect(sampleValue(pending, 'launchdb_worker_oldest_job_age_seconds', { kind: 'captures' })).toBeGreaterThanOrEqual(90);

    await waiting('processing', 10);
    const both = await scrape();
    expect(sampleValue(both, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(1);
    expect(sampleValue(both, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'processing' })).toBe(1);

    await haven.admin.query(`delete from captures`);
    expect(sampleValue(await scrape(), 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(0);
  });

  it('shows reminders a due sweep claimed and has not sent yet', async () => {
    const [home] = await haven.as<{ id: string }>(owner, `insert into properties (name) values ('Home') returning id`);
    const [task] = await haven.as<{ id: string }>(owner, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'Flush the water heater', current_date) returning id`, [home!.id]);
    await haven.admin.query(
      `insert into task_reminders (task_id, due_on, user_id, digest_day, claimed_by, lease_until, created_at)
       values ($1, current_date, $2, current_date, 'another-worker', now() + interval '5 minutes', now() - interval '30 seconds')`,
      [task!.id, owner],
    );
    worker.projectActive(haven.id);
    const claimed = await scrape();
    expect(sampleValue(claimed, 'launchdb_worker_queue_jobs', { kind: 'reminders', state: 'claimed' })).toBe(1);
    expect(sampleValue(claimed, 'launchdb_worker_oldest_job_age_seconds', { kind: 'reminders' })).toBeGreaterThanOrEqual(30);
    await haven.admin.query(`update task_reminders set status = 'sent', sent_at = now(), lease_until = null`);
    expect(sampleValue(await scrape(), 'launchdb_worker_queue_jobs', { kind: 'reminders', state: 'claimed' })).toBe(0);
  });

  it('answers within its budget when a project database does not, with what it last read', async () => {
    await waiting('pending', 5);
    worker.projectActive(haven.id);
    expect(sampleValue(await scrape(), 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(1);
    // a migration holding the table: the count waits for the lock
    const blocker = await haven.admin.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table captures in access exclusive mode');
      const started = Date.now();
      const stuck = await scrape();
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(sampleValue(stuck, 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(1);
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    await haven.admin.query(`delete from captures`);
  });

  it('answers /health beside /metrics, and nothing else', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ worker_id: worker.id, projects_served: 1 });
    expect((await fetch(`${url}/other`)).status).toBe(404);
  });
});
