import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@launchdb/common/logger';
import { randomUUID } from 'node:crypto';
import { isLaunchDbError } from '@launchdb/common/errors';
import type { BackupEngine, ManifestTrust, PlatformRestoreResult, ProgressEvent, RestoreResult, VerifyResult } from './backup-engine.ts';
import { BackupErrors } from './errors.ts';
import { LocalBackupStore, type BackupStore } from './local-backup-store.ts';
import { tmpdir } from 'node:os';
import { parseBackupId, PLATFORM_SUBJECT, type BackupManifest } from './manifest.ts';
import type { RetentionPolicy } from './retention.ts';

export interface BackupSchedule {
  /** cron expression (server time), or `off`. */
  cron: string;
  concurrency: number;
  retention: RetentionPolicy;
  verifyNightly: boolean;
}

/** What `GET /api/backups` shows of a backup: its manifest without the per-table detail. */
export interface BackupSummary {
  id: string;
  kind: 'project' | 'platform';
  project: string | null;
  template: string | null;
  reason: string;
  startedAt: string;
  finishedAt: string;
  bytes: number;
  tables: number;
  rows: number;
  files: number | null;
  encryption: BackupManifest['encryption'];
}

export interface RunResult {
  backups: BackupSummary[];
  failed: { subject: string; error: string }[];
  /** Subjects another process was backing up or restoring at that moment: theirs is the backup, not a failure. */
  skipped: { subject: string; reason: string }[];
  deleted: string[];
}

interface RunState {
  at: string;
  ok: boolean;
  backups: number;
  failed: { subject: string; error: string }[];
  skipped?: { subject: string; reason: string }[];
  seconds: number;
}

interface VerifyState {
  at: string;
  backup: string;
  ok: boolean;
  error?: string;
}

/** An operation run in the background (`Prefer: respond-async`), followed by polling it. */
export interface BackupJob {
  id: string;
  operation: 'run' | 'verify' | 'restore' | 'restore-platform';
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** The piece being read or written: its bytes so far and, when known, its size. */
  progress: { backup: string; piece: string; bytes: number; total: number | null } | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

const KEPT_JOBS = 50;

export type JobRequest =
  | { operation: 'run'; project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }
  | { operation: 'verify'; id: string; allowUnsigned?: boolean | undefined }
  | { operation: 'restore'; id: string; project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined; allowUnsigned?: boolean | undefined }
  | { operation: 'restore-platform'; source: string; allowUnsigned?: boolean | undefined };

interface State {
  lastRun?: RunState;
  lastVerify?: VerifyState;
  /** Subject → when one of its backups was last verified: the nightly verify takes the oldest. */
  verifiedAt: Record<string, string>;
}

/**
 * The backups as the platform runs them: on demand (API, CLI) and nightly — every project one
 * after the other (`concurrency` at once), the platform database, retention, and one verify.
 * The last run's and verify's outcome is kept beside the backups and shown in /api/health.
 */
export class BackupService {
  readonly #engine: BackupEngine;
  readonly #schedule: BackupSchedule;
  readonly #logger: Logger;
  readonly #stateFile: string;
  #state: State = { verifiedAt: {} };
  #task: ScheduledTask | undefined;
  #nightly: Promise<void> | undefined;
  readonly #unavailable: string | undefined;

  readonly #openSource: (source: string) => BackupStore;
  readonly #jobs = new Map<string, BackupJob & { subjects: Set<string> }>();
  #changes = 0;

  constructor(options: {
    engine: BackupEngine;
    schedule: BackupSchedule;
    logger: Logger;
    unavailable?: string | undefined;
    /** A restore-platform source (a folder, an `s3://` URL) as a store; default: folders only. */
    openSource?: ((source: string) => BackupStore) | undefined;
  }) {
    this.#engine = options.engine;
    this.#schedule = options.schedule;
    this.#logger = options.logger;
    this.#stateFile = join(options.engine.store.localRoot ?? tmpdir(), '.state.json');
    this.#openSource = options.openSource ?? ((source) => {
      if (/^s3:\/\//i.test(source)) throw BackupErrors.validation('restore-platform from S3 needs BACKUP_S3_URL and its credentials set on the platform');
      return new LocalBackupStore(resolve(source));
    });
    this.#unavailable = options.unavailable;
  }

  /** Reads the last outcome and starts the schedule (unless `off`, or the tools are missing). */
  async start(): Promise<void> {
    this.#state = await readFile(this.#stateFile, 'utf8').then(
      (text) => ({ verifiedAt: {}, ...(JSON.parse(text) as Partial<State>) }),
      () => ({ verifiedAt: {} }),
    );
    await this.#engine.cleanUpStore().catch(() => []);
    if (this.#schedule.cron === 'off' || this.#unavailable) return;
    if (!cron.validate(this.#schedule.cron)) throw BackupErrors.validation(`BACKUP_CRON: not a cron expression: ${this.#schedule.cron}`);
    this.#task = cron.schedule(this.#schedule.cron, () => this.runNightly(), { name: 'launchdb-backups', noOverlap: true });
  }

  async stop(): Promise<void> {
    await this.#task?.destroy();
    this.#task = undefined;
    await this.#nightly?.catch(() => undefined);
  }

  /** Bumped when backups may have been added or removed here, so /metrics reads the store again. */
  get changes(): number {
    return this.#changes;
  }

  async list(projectId?: string): Promise<BackupSummary[]> {
    const all = await this.#engine.store.list();
    return all.filter((manifest) => projectId === undefined || manifest.projectId === projectId).map(summarize);
  }

  async run(request: { project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }): Promise<RunResult> {
    this.#assertAvailable();
    const chosen = [request.project !== undefined, request.all === true, request.platform === true].filter(Boolean).length;
    if (chosen !== 1) throw BackupErrors.validation('choose one: a project, all (every project and the platform), or the platform');
    if (request.all) return this.#runAll('manual');
    try {
      const manifest = request.platform ? await this.#engine.backupPlatform('manual') : await this.#engine.backupProject(request.project!, 'manual');
      return { backups: [summarize(manifest)], failed: [], skipped: [], deleted: [] };
    } finally {
      this.#changes += 1;
    }
  }

  async verify(id: string, trust: ManifestTrust = {}): Promise<VerifyResult> {
    this.#assertAvailable();
    try {
      const result = await this.#engine.verify(id, trust);
      await this.#recordVerify({ at: new Date().toISOString(), backup: id, ok: true });
      return result;
    } catch (error) {
      // a backup that is not there (or an id that names none) was never verified: the last verify stays what it was
      const code = (error as { code?: string }).code;
      if (code !== 'not_found' && code !== 'validation_failed') await this.#recordVerify({ at: new Date().toISOString(), backup: id, ok: false, error: (error as Error).message });
      throw error;
    }
  }

  async restore(
    id: string,
    request: { project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined; allowUnsigned?: boolean | undefined },
  ): Promise<RestoreResult> {
    this.#assertAvailable();
    const trust = { allowUnsigned: request.allowUnsigned };
    if (request.asNew !== undefined) return this.#engine.restoreProject(id, { asNew: request.asNew, ...trust });
    if (request.project === undefined) throw BackupErrors.validation('give the project to restore into, or a new project id');
    // a restore over a project backs it up first
    return this.#engine.restoreProject(id, { projectId: request.project, confirm: request.confirm, ...trust }).finally(() => (this.#changes += 1));
  }

  async restorePlatform(source: string, trust: ManifestTrust = {}): Promise<PlatformRestoreResult> {
    this.#assertAvailable();
    return this.#engine.restorePlatform(this.#openSource(source), trust);
  }

  /**
   * Starts an operation in the background and answers at once; `job(id)` follows it. The
   * subjects (project ids, `launchdb-platform`) say whose progress events are its.
   */
  startJob(operation: BackupJob['operation'], subjects: string[], work: () => Promise<unknown>): BackupJob {
    const job: BackupJob & { subjects: Set<string> } = {
      id: randomUUID(),
      operation,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
      subjects: new Set(subjects),
    };
    this.#jobs.set(job.id, job);
    for (const old of [...this.#jobs.keys()].slice(0, Math.max(0, this.#jobs.size - KEPT_JOBS))) {
      if (this.#jobs.get(old)?.status !== 'running') this.#jobs.delete(old);
    }
    work().then(
      (result) => Object.assign(job, { status: 'done', result, finishedAt: new Date().toISOString() }),
      (error: Error) =>
        Object.assign(job, {
          status: 'failed',
          finishedAt: new Date().toISOString(),
          error: { code: (error as { code?: string }).code ?? 'internal_error', message: isLaunchDbError(error) ? error.message : `unexpected error: ${error.message}` },
        }),
    );
    return this.job(job.id)!;
  }

  /** The API's `Prefer: respond-async`: the operation as a job. */
  inBackground(request: JobRequest): BackupJob {
    switch (request.operation) {
      case 'run': {
        const subjects = request.all ? ['*'] : request.platform ? [PLATFORM_SUBJECT] : [request.project ?? '*'];
        return this.startJob('run', subjects, () => this.run(request));
      }
      case 'verify':
        return this.startJob('verify', [parseBackupId(request.id)?.subject ?? '*'], () => this.verify(request.id, request));
      case 'restore': {
        const subjects = [parseBackupId(request.id)?.subject ?? '*', request.project ?? request.asNew ?? '*'];
        return this.startJob('restore', subjects, () => this.restore(request.id, request));
      }
      case 'restore-platform':
        return this.startJob('restore-platform', ['*'], () => this.restorePlatform(request.source, request));
    }
  }

  job(id: string): BackupJob | undefined {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    const { subjects: _subjects, ...view } = job;
    return { ...view };
  }

  /** The engine's progress events, given to the running jobs they belong to. */
  progress(event: ProgressEvent): void {
    const subject = parseBackupId(event.backup)?.subject;
    for (const job of this.#jobs.values()) {
      if (job.status !== 'running') continue;
      if (job.subjects.has('*') || (subject && job.subjects.has(subject))) {
        job.progress = { backup: event.backup, piece: event.piece, bytes: event.bytes, total: event.total ?? null };
      }
    }
  }

  health(): Record<string, unknown> {
    return {
      schedule: this.#unavailable ? `off: ${this.#unavailable}` : this.#schedule.cron,
      destination: this.#engine.store.describe(),
      lastRun: this.#state.lastRun ?? null,
      lastVerify: this.#state.lastVerify ?? null,
    };
  }

  /** The nightly work: everything backed up, retention applied, one backup verified. Never throws. */
  runNightly(): Promise<void> {
    this.#nightly ??= (async () => {
      try {
        await this.#runAll('scheduled');
        if (this.#schedule.verifyNightly) await this.#verifyNext();
      } catch (error) {
        this.#logger.error({ err: error }, 'nightly backup failed');
      } finally {
        this.#nightly = undefined;
      }
    })();
    return this.#nightly;
  }

  async #runAll(reason: 'scheduled' | 'manual'): Promise<RunResult> {
    const started = performance.now();
    const subjects = [PLATFORM_SUBJECT, ...(await this.#engine.activeProjects())];
    const backups: BackupSummary[] = [];
    const failed: RunResult['failed'] = [];
    const skipped: RunResult['skipped'] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < subjects.length) {
        const subject = subjects[next++]!;
        try {
          const manifest = subject === PLATFORM_SUBJECT ? await this.#engine.backupPlatform(reason) : await this.#engine.backupProject(subject, reason);
          backups.push(summarize(manifest));
        } catch (error) {
          if ((error as { code?: string }).code === 'backup_busy') {
            this.#logger.info({ subject }, 'backup skipped: another process holds this subject');
            skipped.push({ subject, reason: (error as Error).message });
            continue;
          }
          this.#logger.error({ subject, err: error }, 'backup failed');
          failed.push({ subject, error: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#schedule.concurrency) }, worker));
    // retention only after a run that produced backups: a failing night never thins the old ones
    const deleted = backups.length > 0 ? await this.#engine.applyRetention(this.#schedule.retention) : [];
    this.#changes += 1;
    this.#state.lastRun = { at: new Date().toISOString(), ok: failed.length === 0, backups: backups.length, failed, skipped, seconds: Math.round((performance.now() - started) / 100) / 10 };
    await this.#saveState();
    return { backups, failed, skipped, deleted };
  }

  /** The newest backup of the subject verified longest ago (never, first). */
  async #verifyNext(): Promise<void> {
    const newest = new Map<string, BackupManifest>();
    for (const manifest of await this.#engine.store.list()) {
      const subject = parseBackupId(manifest.id)!.subject;
      if (!newest.has(subject)) newest.set(subject, manifest);
    }
    const [choice] = [...newest.entries()].sort(([a], [b]) => (this.#state.verifiedAt[a] ?? '').localeCompare(this.#state.verifiedAt[b] ?? '') || a.localeCompare(b));
    if (!choice) return;
    await this.verify(choice[1].id).catch((error: Error) => this.#logger.error({ backup: choice[1].id, err: error }, 'nightly verify failed'));
  }

  async #recordVerify(result: VerifyState): Promise<void> {
    this.#state.lastVerify = result;
    const subject = parseBackupId(result.backup)?.subject;
    if (subject) this.#state.verifiedAt[subject] = result.at;
    await this.#saveState();
  }

  async #saveState(): Promise<void> {
    const temporary = `${this.#stateFile}.tmp-${process.pid}`;
    try {
      // the store's folder appears with its first backup; a verify's outcome may come before
      await mkdir(dirname(this.#stateFile), { recursive: true });
      await writeFile(temporary, JSON.stringify(this.#state, null, 2), { mode: 0o600 });
      await rename(temporary, this.#stateFile);
    } catch (error) {
      this.#logger.warn({ err: error }, 'backup state not saved');
    }
  }

  #assertAvailable(): void {
    if (this.#unavailable) throw BackupErrors.toolMissing('pg_dump');
  }
}

export function summarize(manifest: BackupManifest): BackupSummary {
  return {
    id: manifest.id,
    kind: manifest.kind,
    project: manifest.projectId,
    template: manifest.template,
    reason: manifest.reason,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    bytes: manifest.pieces.reduce((sum, piece) => sum + piece.bytes, 0),
    tables: manifest.database.tables.length,
    rows: manifest.database.tables.reduce((sum, table) => sum + table.rows, 0),
    files: manifest.pieces.find((piece) => piece.files !== undefined)?.files ?? null,
    encryption: manifest.encryption,
  };
}
