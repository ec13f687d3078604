import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import { withinBudget } from '@launchdb/common/metrics';
import type { DatabaseAddress } from '@launchdb/common/projects';
import type { SecretBox } from '@launchdb/common/secrets';
import type { ProjectTemplates } from '@launchdb/platform-api/project-templates';
import type { StorageBackend } from '@launchdb/storage-service/backends';
import { CaptureError } from './captures/capture-error.ts';
import { OcrPool } from './captures/ocr-pool.ts';
import { CatalogueCache, readCapture, readTexts, type CaptureReaders, type CaptureResult } from './captures/read-capture.ts';
import { DueReminders, type DueSweepReport, type SmtpServer } from './reminders/due-sweep.ts';
import { ProjectConnections } from './connections.ts';
import { CaptureListeners } from './listeners.ts';
import { WorkerProjects } from './projects.ts';
import type { WorkerSettings } from './settings.ts';
import { claimCapturesByKind, type ClaimedCapture } from './sql/claim-capture.ts';
import { recordDocumentObject } from './sql/document-object.ts';
import { completeCapture, completeCaptures, failCapture, markDocumentCopied } from './sql/finish-capture.ts';
import { acceptedDocument, captureObject } from './sql/household.ts';
import { EMPTY_QUEUE, queueDepth, type ProjectQueueDepth } from './sql/queue-depth.ts';
import { sweepCaptures, type SweepOutcome } from './sql/sweep-captures.ts';

export interface CaptureWorkerOptions {
  /** The platform database: which projects exist, their templates and (encrypted) logins. */
  platformDb: pg.Pool;
  secrets: SecretBox;
  /** PostgreSQL itself, for LISTEN sessions. */
  postgres: DatabaseAddress;
  /** PgBouncer (or PostgreSQL where there is none), for claims and results. */
  pooler: DatabaseAddress;
  /** The storage service's backend: capture files are read, documents copied, without HTTP. */
  backend: StorageBackend;
  settings: WorkerSettings;
  logger: Logger;
  templates?: ProjectTemplates;
  /** The platform's SMTP server, for projects without their own (as the auth service falls back). */
  defaultSmtp?: SmtpServer | null;
  /** Names this worker in locked_by (default: host, pid and a random suffix). */
  workerId?: string;
}

/** Active projects without a LISTEN session (beyond WORKER_MAX_LISTENERS) are looked at this often. */
const ACTIVE_POLL_MS = 5_000;
/**
 * Direct connections the sweeps (captures every WORKER_SWEEP_SECONDS, due reminders) hold at
 * most, beside WORKER_MAX_LISTENERS and WORKER_MAX_CONNECTIONS: 12 + 8 + 4 = 24 by default.
 */
const SWEEP_CONNECTIONS = 4;

export interface WorkerHealth {
  worker_id: string;
  projects_served: number;
  active_projects: number;
  listen_connections: number;
  pooled_connections: number;
  /** Direct connections of the sweeps, open now. */
  sweep_connections: number;
  jobs_running: number;
  jobs: { done: number; failed: number; retried: number; lost: number; documents_copied: number };
  /** Captures per status across served projects, as of each project's last sweep or job. */
  queue: Record<string, number>;
  oldest_pending_seconds: number | null;
  last_sweep: { at: string; ms: number; projects: number } | null;
}

/** Jobs waiting across served projects, per kind, as /metrics shows them. */
export interface WorkerQueues {
  captures: { pending: number; processing: number; oldestSeconds: number | null };
  /** Reminders claimed by a due sweep and not yet sent (or skipped). */
  reminders: { claimed: number; oldestSeconds: number | null };
  /** Served projects whose queues were never looked at yet (a first scrape over many projects). */
  unknownProjects: number;
}

/**
 * The two kinds of job, each with its own room: notes (`text`) are matched in milliseconds and
 * are read and written in batches, so a hundred at once queue neither behind photos nor behind
 * each other; photos, voice notes and document copies (`files`) wait on OCR, a transcriber or the
 * storage backend, one job each.
 */
const KINDS = ['text', 'files'] as const;
type JobKind = (typeof KINDS)[number];

/** Connections a scrape may use at once: the jobs keep the rest. */
const SCRAPE_LANES = 2;

/**
 * Serves every project whose template asks for a worker: captures are claimed from their rows
 * (a NOTIFY only wakes it), processed, and their result written while the claim still holds;
 * every project is swept at start and each WORKER_SWEEP_SECONDS, so nothing waits on a lost
 * notification. See worker/README.md.
 */
export class CaptureWorker {
  readonly id: string;
  readonly #settings: WorkerSettings;
  readonly #logger: Logger;
  readonly #projects: WorkerProjects;
  readonly #connections: ProjectConnections;
  readonly #sweepConnections: ProjectConnections;
  readonly #listeners: CaptureListeners;
  readonly #readers: CaptureReaders;
  readonly #ocr: OcrPool;
  /** Per kind of job, projects that may have work of that kind, with a counter bumped by each wake-up. */
  readonly #wanted: Record<JobKind, Map<string, number>> = { text: new Map(), files: new Map() };
  readonly #claiming = new Set<string>();
  /** Room reserved by the claims in flight, per kind of job. */
  readonly #claimRoom: Record<JobKind, number> = { text: 0, files: 0 };
  /** Notes claimed and not yet written, across the batches in flight. */
  #textInFlight = 0;
  readonly #textBatches = new Set<Promise<void>>();
  readonly #activeAt = new Map<string, number>();
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  readonly #queues = new Map<string, Pick<SweepOutcome, 'counts' | 'oldest_pending_seconds'>>();
  /** Per project, its database's write count read before a sweep that found it quiet: nothing due, nothing in progress, no backoff. */
  readonly #quietAt = new Map<string, string>();
  /** Per project, after a due sweep: its write count read before it, and when its next reminder can fall due (null: never without a write). */
  readonly #dueQuiet = new Map<string, { writes: string; at: number | null }>();
  readonly #running = new Set<Promise<void>>();
  readonly #counters = { done: 0, failed: 0, retried: 0, lost: 0, documents_copied: 0 };
  readonly #reminders: DueReminders;
  #dueTask: ScheduledTask | undefined;
  #lastSweep: WorkerHealth['last_sweep'] = null;
  #sweeping: Promise<void> | undefined;
  /** Per served project, its queues when last looked at (a scrape), and its write count then. */
  readonly #depths = new Map<string, { at: number; writes: string | undefined; depth: ProjectQueueDepth }>();
  #depthLook: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(options: CaptureWorkerOptions) {
    this.id = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#projects = new WorkerProjects({ platformDb: options.platformDb, secrets: options.secrets, templates: options.templates });
    const applicationName = 'launchdb-worker';
    this.#connections = new ProjectConnections({ address: options.pooler, projects: this.#projects, max: options.settings.WORKER_MAX_CONNECTIONS, applicationName });
    // Sweeps visit every project. Through PgBouncer each visit would leave a server connection
    // for its server_idle_timeout (60 s): a thousand projects swept in half a minute, past
    // PostgreSQL's max_connections. Direct connections of their own close as the sweep moves on.
    this.#sweepConnections = new ProjectConnections({ address: options.postgres, projects: this.#projects, max: SWEEP_CONNECTIONS, applicationName: `${applicationName} sweep` });
    this.#listeners = new CaptureListeners({
      address: options.postgres,
      projects: this.#projects,
      max: options.settings.WORKER_MAX_LISTENERS,
      onNotify: (projectId) => this.wake(projectId),
      logger: options.logger,
      applicationName,
    });
    this.#ocr = new OcrPool(options.settings.WORKER_OCR_THREADS);
    this.#reminders = new DueReminders({
      connections: this.#sweepConnections,
      platformDb: options.platformDb,
      secrets: options.secrets,
      workerId: this.id,
      defaultSmtp: options.defaultSmtp,
      logger: options.logger,
    });
    const url = options.settings.WORKER_TRANSCRIBE_URL;
    this.#readers = {
      catalogue: new CatalogueCache(),
      connections: this.#connections,
      backend: options.backend,
      ocr: this.#ocr,
      transcriber: url ? { url, model: options.settings.WORKER_TRANSCRIBE_MODEL, apiKey: options.settings.WORKER_TRANSCRIBE_API_KEY } : undefined,
    };
  }

  /**
   * The first sweep (work left while the worker was down) goes on in the background, so a
   * platform with a thousand projects is not held up at boot; then the timers.
   */
  async start(): Promise<void> {
    void this.sweep();
    this.#timers.push(setInterval(() => void this.sweep(), this.#settings.WORKER_SWEEP_SECONDS * 1000));
    this.#timers.push(setInterval(() => this.#pollActive(), ACTIVE_POLL_MS));
    for (const timer of this.#timers) timer.unref();
    if (!cron.validate(this.#settings.WORKER_DUE_CRON)) throw new Error(`WORKER_DUE_CRON: not a cron expression: ${this.#settings.WORKER_DUE_CRON}`);
    this.#dueTask = cron.schedule(this.#settings.WORKER_DUE_CRON, () => this.dueSweepAll(), { name: 'launchdb-due-reminders', noOverlap: true });
  }

  /**
   * The project's due-task reminders now, by the same rules as the scheduled sweep: what was
   * sent, skipped (no SMTP) and failed. Undefined when the worker does not serve the project.
   */
  async dueSweep(projectId: string): Promise<DueSweepReport | undefined> {
    if (!(await this.#projects.serves(projectId))) return undefined;
    return this.#reminders.sweep(projectId);
  }

  /**
   * The scheduled due sweep (WORKER_DUE_CRON): every served project, except one whose next
   * reminder cannot fall due yet (next_reminder_at, read after its last sweep) and whose database
   * has had no row written since (pg_stat_database, read fresh first): nothing can have become due
   * there, so it costs no connection. Its own claims are writes, so a project is swept once more
   * after a sweep that claimed something. Resolves with how many projects it looked at and left alone.
   */
  async dueSweepAll(): Promise<{ swept: number; quiet: number }> {
    const outcome = { swept: 0, quiet: 0 };
    let served: ReadonlySet<string>;
    try {
      served = await this.#projects.refresh();
    } catch (error) {
      this.#logger.error({ err: error }, 'cannot read the projects to serve');
      return outcome;
    }
    for (const projectId of this.#dueQuiet.keys()) if (!served.has(projectId)) this.#dueQuiet.delete(projectId);
    for (const projectId of served) {
      if (this.#stopped) break;
      const writes = this.#projects.writesOf(projectId);
      const quiet = this.#dueQuiet.get(projectId);
      if (writes !== undefined && quiet?.writes === writes && (quiet.at === null || Date.now() < quiet.at)) {
        outcome.quiet += 1;
        continue;
      }
      this.#dueQuiet.delete(projectId);
      outcome.swept += 1;
      try {
        await this.#reminders.sweep(projectId);
        const at = await this.#reminders.nextDueAt(projectId);
        if (writes !== undefined && at !== undefined) this.#dueQuiet.set(projectId, { writes, at });
      } catch (error) {
        this.#logger.warn({ project: projectId, err: error }, 'due sweep failed');
      }
    }
    this.#logger.debug(outcome, 'due sweep');
    return outcome;
  }

  /**
   * A request reached the project (gateway, auth, storage): it gets a LISTEN session for the
   * next minutes, and a look now, since what the request inserted may have committed before
   * the session listened.
   */
  projectActive(projectId: string): void {
    if (this.#stopped) return;
    const seen = this.#activeAt.get(projectId);
    const now = Date.now();
    this.#activeAt.set(projectId, now);
    // one look per second is plenty: this runs on every request
    if (seen !== undefined && now - seen < 1_000) return;
    void this.#projects
      .serves(projectId)
      .then(async (served) => {
        if (!served) return;
        const wasListening = this.#listeners.has(projectId);
        await this.#listeners.listen(projectId);
        if (!wasListening) {
          this.wake(projectId);
          // the request that made us listen may commit its capture a moment later
          setTimeout(() => this.wake(projectId), 1_500).unref();
        }
      })
      .catch((error: Error) => this.#logger.warn({ project: projectId, err: error }, 'project activity not followed'));
  }

  /** Claims and processes the project's due captures until there are none (bounded by WORKER_CONCURRENCY and WORKER_TEXT_CONCURRENCY). */
  wake(projectId: string): void {
    if (this.#stopped) return;
    for (const kind of KINDS) this.#wanted[kind].set(projectId, (this.#wanted[kind].get(projectId) ?? 0) + 1);
    this.#pump();
  }

  /** Looks at every served project once: lapsed leases, due work, queue counts. */
  sweep(): Promise<void> {
    if (!this.#sweeping) {
      this.#sweeping = this.#sweepAll().finally(() => (this.#sweeping = undefined));
    }
    return this.#sweeping;
  }

  health(): WorkerHealth {
    const queue: Record<string, number> = { pending: 0, processing: 0, processed: 0, failed: 0 };
    let oldest: number | null = null;
    for (const project of this.#queues.values()) {
      for (const [status, count] of Object.entries(project.counts)) queue[status] = (queue[status] ?? 0) + count;
      if (project.oldest_pending_seconds !== null) oldest = Math.max(oldest ?? 0, project.oldest_pending_seconds);
    }
    const since = Date.now() - this.#settings.WORKER_ACTIVE_MINUTES * 60_000;
    return {
      worker_id: this.id,
      projects_served: this.#projects.served.size,
      active_projects: [...this.#activeAt.values()].filter((at) => at >= since).length,
      listen_connections: this.#listeners.held,
      pooled_connections: this.#connections.open,
      sweep_connections: this.#sweepConnections.open,
      jobs_running: this.#running.size + this.#textInFlight,
      jobs: { ...this.#counters },
      queue,
      oldest_pending_seconds: oldest === null ? null : Math.round(oldest),
      last_sweep: this.#lastSweep,
    };
  }

  /**
   * The queues across served projects, for a scrape: projects whose queues may have changed
   * since their last look (never looked at, active, jobs waiting, rows written since) are looked
   * at again, least recently looked first, until `budgetMs` is spent; the others count as last
   * seen. Idle projects cost no connection, and a scrape never waits longer than its budget.
   */
  async queues(budgetMs: number): Promise<WorkerQueues> {
    if (!this.#stopped) {
      this.#depthLook ??= this.#lookAtQueues(Date.now() + budgetMs).finally(() => (this.#depthLook = undefined));
      await withinBudget(this.#depthLook, budgetMs, () => undefined);
    }
    const now = Date.now();
    const queues: WorkerQueues = { captures: { pending: 0, processing: 0, oldestSeconds: null }, reminders: { claimed: 0, oldestSeconds: null }, unknownProjects: 0 };
    const older = (known: number | null, seconds: number | null, at: number) => (seconds === null ? known : Math.max(known ?? 0, seconds + (now - at) / 1000));
    for (const projectId of this.#projects.served) {
      const known = this.#depths.get(projectId);
      if (!known) {
        queues.unknownProjects += 1;
        continue;
      }
      queues.captures.pending += known.depth.captures_pending;
      queues.captures.processing += known.depth.captures_processing;
      queues.captures.oldestSeconds = older(queues.captures.oldestSeconds, known.depth.captures_oldest_seconds, known.at);
      queues.reminders.claimed += known.depth.reminders_claimed;
      queues.reminders.oldestSeconds = older(queues.reminders.oldestSeconds, known.depth.reminders_oldest_seconds, known.at);
    }
    return queues;
  }

  async #lookAtQueues(deadline: number): Promise<void> {
    const served = this.#projects.served;
    for (const projectId of this.#depths.keys()) if (!served.has(projectId)) this.#depths.delete(projectId);
    const since = Date.now() - this.#settings.WORKER_ACTIVE_MINUTES * 60_000;
    const changed = [...served].filter((projectId) => {
      const known = this.#depths.get(projectId);
      if (!known || (this.#activeAt.get(projectId) ?? 0) >= since) return true;
      const { depth } = known;
      if (depth.captures_pending + depth.captures_processing + depth.reminders_claimed > 0) return true;
      const writes = this.#projects.writesOf(projectId);
      return writes === undefined || writes !== known.writes;
    });
    changed.sort((a, b) => (this.#depths.get(a)?.at ?? 0) - (this.#depths.get(b)?.at ?? 0));
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < changed.length && Date.now() < deadline && !this.#stopped) {
        const projectId = changed[next++]!;
        const writes = this.#projects.writesOf(projectId);
        try {
          this.#depths.set(projectId, { at: Date.now(), writes, depth: await this.#connections.asService(projectId, queueDepth) });
        } catch (error) {
          // an older Haven without the reminders table, a database that is down: what was known
          // stays; a project never read counts as empty until it is written to again
          this.#logger.debug({ project: projectId, err: error }, 'queue depth not read');
          if (!this.#depths.has(projectId)) this.#depths.set(projectId, { at: Date.now(), writes, depth: EMPTY_QUEUE });
        }
      }
    };
    await Promise.all(Array.from({ length: SCRAPE_LANES }, lane));
  }

  /** Stops claiming, lets running jobs finish (their leases cover a crash instead), closes everything. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    await this.#dueTask?.destroy();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#running, ...this.#textBatches]), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
    clearTimeout(grace);
    await this.#sweeping?.catch(() => undefined);
    await this.#listeners.close();
    await Promise.all([this.#connections.close(), this.#sweepConnections.close()]);
    await this.#ocr.close();
  }

  async #sweepAll(): Promise<void> {
    const started = Date.now();
    let served: ReadonlySet<string>;
    try {
      served = await this.#projects.refresh();
    } catch (error) {
      this.#logger.error({ err: error }, 'cannot read the projects to serve');
      return;
    }
    for (const projectId of this.#queues.keys()) if (!served.has(projectId)) this.#queues.delete(projectId);
    for (const projectId of this.#quietAt.keys()) if (!served.has(projectId)) this.#quietAt.delete(projectId);
    this.#listeners.expire(Date.now() - this.#settings.WORKER_ACTIVE_MINUTES * 60_000);
    const ids = [...served];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ids.length && !this.#stopped) {
        const projectId = ids[next++]!;
        await this.#sweepProject(projectId);
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONNECTIONS }, lane));
    this.#lastSweep = { at: new Date(started).toISOString(), ms: Date.now() - started, projects: ids.length };
    this.#logger.debug({ projects: ids.length, ms: Date.now() - started }, 'swept');
  }

  async #sweepProject(projectId: string): Promise<void> {
    // quiet when last swept and not a row written since: nothing can have become due (a lease
    // that could lapse or a backoff that could end would not have been quiet), so no connection
    const writes = this.#projects.writesOf(projectId);
    if (writes !== undefined && this.#quietAt.get(projectId) === writes) return;
    this.#quietAt.delete(projectId);
    try {
      const outcome = await this.#sweepConnections.asService(projectId, (sql) => sweepCaptures(sql, this.#settings.WORKER_MAX_ATTEMPTS));
      this.#queues.set(projectId, outcome);
      const quiet = outcome.due === 0 && outcome.exhausted === 0 && outcome.next_at === null && !outcome.counts.processing;
      if (quiet && writes !== undefined) this.#quietAt.set(projectId, writes);
      if (outcome.exhausted > 0) {
        this.#counters.failed += outcome.exhausted;
        this.#logger.warn({ project: projectId, captures: outcome.exhausted }, 'captures failed: their worker stopped on every attempt');
      }
      if (outcome.due > 0) this.wake(projectId);
      if (outcome.next_at) this.#wakeAt(projectId, outcome.next_at);
    } catch (error) {
      // a project whose template lacks the worker's tables (an older Haven not yet upgraded) is skipped
      this.#logger.warn({ project: projectId, err: error }, 'sweep failed');
    }
  }

  #pollActive(): void {
    const since = Date.now() - this.#settings.WORKER_ACTIVE_MINUTES * 60_000;
    for (const [projectId, at] of this.#activeAt) {
      if (at < since) this.#activeAt.delete(projectId);
      else if (!this.#listeners.has(projectId) && this.#projects.served.has(projectId)) this.wake(projectId);
    }
  }

  #pump(): void {
    for (const projectId of new Set([...this.#wanted.text.keys(), ...this.#wanted.files.keys()])) {
      if (this.#stopped) return;
      const free = {
        text: this.#settings.WORKER_TEXT_CONCURRENCY - this.#textInFlight - this.#claimRoom.text,
        files: this.#settings.WORKER_CONCURRENCY - this.#running.size - this.#claimRoom.files,
      };
      if (free.text <= 0 && free.files <= 0) return;
      if (this.#claiming.has(projectId)) continue;
      const wakes = { text: this.#wanted.text.get(projectId), files: this.#wanted.files.get(projectId) };
      // a kind without room stays wanted and is claimed when a job of that kind ends
      const room = { text: wakes.text === undefined ? 0 : Math.max(0, free.text), files: wakes.files === undefined ? 0 : Math.max(0, free.files) };
      if (room.text === 0 && room.files === 0) continue;
      this.#claiming.add(projectId);
      for (const kind of KINDS) this.#claimRoom[kind] += room[kind];
      void this.#claim(projectId, room).then((captures) => {
        this.#claiming.delete(projectId);
        for (const kind of KINDS) this.#claimRoom[kind] -= room[kind];
        const notes: ClaimedCapture[] = [];
        for (const capture of captures) {
          if (capture.kind === 'text' && capture.job === 'process') notes.push(capture);
          else this.#run(projectId, capture);
        }
        if (notes.length > 0) this.#runTexts(projectId, notes);
        const got = { text: notes.length, files: captures.length - notes.length };
        // fewer than there was room for, and no wake-up meanwhile: the project is done for now
        // (a wake-up meanwhile claims again at once, while this batch is still being read)
        for (const kind of KINDS) {
          if (room[kind] > 0 && got[kind] < room[kind] && this.#wanted[kind].get(projectId) === wakes[kind]) this.#wanted[kind].delete(projectId);
        }
        this.#pump();
      });
    }
  }

  async #claim(projectId: string, room: Record<JobKind, number>): Promise<ClaimedCapture[]> {
    try {
      return await this.#connections.asService(projectId, (sql) =>
        claimCapturesByKind(sql, this.id, this.#settings.WORKER_LEASE_SECONDS, this.#settings.WORKER_MAX_ATTEMPTS, room),
      );
    } catch (error) {
      this.#logger.warn({ project: projectId, err: error }, 'claim failed');
      // the sweep tries again; spinning here would hammer a database that is down
      for (const kind of KINDS) this.#wanted[kind].delete(projectId);
      return [];
    }
  }

  #runTexts(projectId: string, captures: ClaimedCapture[]): void {
    this.#textInFlight += captures.length;
    const batch = this.#processTexts(projectId, captures).finally(() => {
      this.#textInFlight -= captures.length;
      this.#textBatches.delete(batch);
      this.#pump();
    });
    this.#textBatches.add(batch);
  }

  /**
   * A batch of notes: their writers' households read once, each note matched, and every result
   * written in one statement, each row only while its own claim holds it (the same fence as one
   * job's write), so a note is applied once even when a lapsed lease let another worker in.
   */
  async #processTexts(projectId: string, captures: ClaimedCapture[]): Promise<void> {
    const started = Date.now();
    const jobLog = (capture: ClaimedCapture) =>
      this.#logger.child({ project: projectId, capture: capture.id, job: capture.job, kind: capture.kind, attempt: capture.attempts });
    let results: Map<string, CaptureResult>;
    let written: Set<string>;
    try {
      results = await readTexts(projectId, captures, this.#readers);
      const rows = captures.map((capture) => ({ id: capture.id, attempts: capture.attempts, result: results.get(capture.id) }));
      written = await this.#connections.asService(projectId, (sql) => completeCaptures(sql, this.id, rows));
    } catch (error) {
      // one statement wrote nothing: each note's attempt fails (and backs off) as a job alone would
      await Promise.all(captures.map((capture) => this.#fail(projectId, capture, error, jobLog(capture))));
      return;
    }
    const ms = Date.now() - started;
    for (const capture of captures) {
      if (written.has(capture.id)) {
        this.#counters.done += 1;
        jobLog(capture).info({ ms, batch: captures.length, suggestion: results.get(capture.id)?.suggestion?.kind ?? null }, 'capture processed');
      } else {
        this.#counters.lost += 1;
        jobLog(capture).warn({ ms, batch: captures.length }, 'lease lost before the result was written: another claim has it');
      }
    }
  }

  #run(projectId: string, capture: ClaimedCapture): void {
    const job = this.#process(projectId, capture).finally(() => {
      this.#running.delete(job);
      this.#pump();
    });
    this.#running.add(job);
  }

  async #process(projectId: string, capture: ClaimedCapture): Promise<void> {
    const started = Date.now();
    const log = this.#logger.child({ project: projectId, capture: capture.id, job: capture.job, kind: capture.kind, attempt: capture.attempts });
    try {
      if (capture.job === 'copy') {
        await this.#copyDocument(projectId, capture);
        const held = await this.#connections.asService(projectId, (sql) => markDocumentCopied(sql, capture.id, this.id, capture.attempts));
        if (held) this.#counters.documents_copied += 1;
        log.info({ ms: Date.now() - started, held }, 'document copied');
        return;
      }
      const result = await readCapture(projectId, capture, this.#readers);
      const held = await this.#connections.asService(projectId, (sql) => completeCapture(sql, capture.id, this.id, capture.attempts, result));
      if (held) {
        this.#counters.done += 1;
        log.info({ ms: Date.now() - started, suggestion: result.suggestion?.kind ?? null }, 'capture processed');
      } else {
        this.#counters.lost += 1;
        log.warn({ ms: Date.now() - started }, 'lease lost before the result was written: another claim has it');
      }
    } catch (error) {
      await this.#fail(projectId, capture, error, log);
    }
  }

  async #fail(projectId: string, capture: ClaimedCapture, error: unknown, log: Logger): Promise<void> {
    const permanent = error instanceof CaptureError && error.permanent;
    const message = error instanceof CaptureError ? error.message : 'Something went wrong while reading this capture; it will be tried again.';
    try {
      // a permanent failure spends every attempt at once
      const maxAttempts = permanent ? capture.attempts : this.#settings.WORKER_MAX_ATTEMPTS;
      const outcome = await this.#connections.asService(projectId, (sql) => failCapture(sql, capture.id, this.id, capture.attempts, message, maxAttempts));
      if (outcome?.status === 'failed') this.#counters.failed += 1;
      else if (outcome) {
        this.#counters.retried += 1;
        this.#wakeAt(projectId, outcome.next_attempt_at);
      }
      log.warn({ err: error instanceof CaptureError ? { message: error.message } : error, status: outcome?.status ?? 'lease lost' }, 'capture attempt failed');
    } catch (writeError) {
      // the lease lapses and the capture is claimed again
      log.error({ err: writeError }, 'cannot record a failed attempt');
    }
  }

  /** accept_capture filed the photo as a document: its bytes go to the documents bucket under the property. */
  async #copyDocument(projectId: string, capture: ClaimedCapture): Promise<void> {
    const path = capture.storage_path;
    const found = await this.#connections.asService(projectId, async (sql) => ({
      document: capture.document_id ? await acceptedDocument(sql, capture.document_id) : undefined,
      source: path ? await captureObject(sql, path) : undefined,
    }));
    if (!found.document || !found.source || !path) return; // the document or the photo was deleted since: nothing to copy
    // named after the capture: a copy repeated after a crash overwrites the same version
    const version = `capture-${capture.id}`;
    await this.#readers.backend.copy(
      { projectId, bucketId: 'captures', key: path, version: found.source.version },
      { projectId, bucketId: 'documents', key: found.document.storage_path, version },
    );
    await this.#connections.asService(projectId, (sql) => recordDocumentObject(sql, found.document!.storage_path, capture.owner_id, version, path));
  }

  #wakeAt(projectId: string, at: Date): void {
    const delay = Math.max(0, at.getTime() - Date.now()) + 50;
    if (delay > this.#settings.WORKER_SWEEP_SECONDS * 1000) return; // the sweep gets there first
    clearTimeout(this.#retryTimers.get(projectId));
    const timer = setTimeout(() => {
      this.#retryTimers.delete(projectId);
      this.wake(projectId);
    }, delay);
    timer.unref();
    this.#retryTimers.set(projectId, timer);
  }
}
