import { Counter, Gauge, type Registry } from '@launchdb/common/metrics';
import type { CaptureWorker, WorkerQueues } from './capture-worker.ts';

export interface WorkerMetricsOptions {
  /** The longest a scrape waits for queue depths from project databases; 2 s by default. */
  budgetMs?: number;
}

/**
 * The worker's queues (jobs waiting per kind and state, the oldest one's age), read when
 * Prometheus scrapes within a time budget, and its job outcomes since it started.
 */
export function registerWorkerMetrics(registry: Registry, worker: CaptureWorker, options: WorkerMetricsOptions = {}): void {
  const budgetMs = options.budgetMs ?? 2_000;
  // prom-client calls every collect() of one scrape in one synchronous pass: they share one read
  let reading: Promise<WorkerQueues> | undefined;
  const queues = (): Promise<WorkerQueues> => {
    if (!reading) {
      reading = worker.queues(budgetMs);
      setImmediate(() => (reading = undefined));
    }
    return reading;
  };
  new Gauge({
    name: 'launchdb_worker_queue_jobs',
    help: 'Jobs waiting across served projects: captures pending (backoffs included) and processing, reminders claimed and not yet sent',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      const now = await queues();
      this.set({ kind: 'captures', state: 'pending' }, now.captures.pending);
      this.set({ kind: 'captures', state: 'processing' }, now.captures.processing);
      this.set({ kind: 'reminders', state: 'claimed' }, now.reminders.claimed);
    },
  });
  new Gauge({
    name: 'launchdb_worker_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting, per kind (0 when none waits)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const now = await queues();
      this.set({ kind: 'captures' }, now.captures.oldestSeconds ?? 0);
      this.set({ kind: 'reminders' }, now.reminders.oldestSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'launchdb_worker_projects',
    help: 'Projects the worker serves, those active lately (a LISTEN session or a poll), and those whose queues no scrape has read yet',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const health = worker.health();
      this.set({ state: 'served' }, health.projects_served);
      this.set({ state: 'active' }, health.active_projects);
      this.set({ state: 'unread' }, (await queues()).unknownProjects);
    },
  });
  new Gauge({
    name: 'launchdb_worker_jobs_running',
    help: 'Jobs being processed by this worker now',
    registers: [registry],
    collect() {
      this.set(worker.health().jobs_running);
    },
  });
  new Counter({
    name: 'launchdb_worker_jobs_total',
    help: 'Jobs this worker finished since it started, by outcome (done, failed, retried, lost: its lease was taken over, documents_copied)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(worker.health().jobs)) this.inc({ outcome }, count);
    },
  });
}
