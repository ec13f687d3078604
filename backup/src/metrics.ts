import { Gauge, withinBudget, type Registry } from '@launchdb/common/metrics';
import type { BackupService } from './backup-service.ts';
import { PLATFORM_SUBJECT } from './manifest.ts';

export interface BackupMetricsOptions {
  /** Projects named in launchdb_backup_age_seconds: the stalest; the rest are `other` (their stalest). 20 by default. */
  topProjects?: number;
  /** The store is listed again at most this often, unless a backup was made here meanwhile; 60 s by default. */
  refreshMs?: number;
  /** The longest a scrape waits for the store's listing; 2 s by default (the last listing is used meanwhile). */
  budgetMs?: number;
}

interface Listing {
  /** Subject (project id, launchdb-platform) → when its newest complete backup finished (ms). */
  newest: Map<string, number>;
  backups: number;
  bytes: number;
}

/**
 * Backup age per project (seconds since its newest complete backup finished), the last run's
 * and the last verify's outcome. Ages are computed at scrape time from a listing of the store
 * that is read again at most every `refreshMs` (or after a backup made here), within a budget:
 * reading thousands of manifests on every scrape would cost more than the answer is worth.
 */
export function registerBackupMetrics(registry: Registry, service: BackupService, options: BackupMetricsOptions = {}): void {
  const topProjects = options.topProjects ?? 20;
  const refreshMs = options.refreshMs ?? 60_000;
  const budgetMs = options.budgetMs ?? 2_000;
  let listing: Listing | undefined;
  let listedAt = 0;
  let listedChanges = -1;
  let listing$: Promise<void> | undefined;

  const list = async (): Promise<void> => {
    const changes = service.changes;
    const all = await service.list();
    const newest = new Map<string, number>();
    let bytes = 0;
    for (const backup of all) {
      const subject = backup.kind === 'platform' ? PLATFORM_SUBJECT : backup.project!;
      const finished = Date.parse(backup.finishedAt);
      if (finished > (newest.get(subject) ?? 0)) newest.set(subject, finished);
      bytes += backup.bytes;
    }
    listing = { newest, backups: all.length, bytes };
    listedAt = Date.now();
    listedChanges = changes;
  };
  const current = async (): Promise<Listing | undefined> => {
    if (Date.now() - listedAt >= refreshMs || service.changes !== listedChanges) {
      listing$ ??= list().finally(() => (listing$ = undefined));
      await withinBudget(listing$, budgetMs, () => undefined);
    }
    return listing;
  };

  new Gauge({
    name: 'launchdb_backup_age_seconds',
    help: 'Seconds since the newest complete backup finished, per project (launchdb-platform: the platform database); the stalest projects are named, the rest are other (their stalest)',
    labelNames: ['project'],
    registers: [registry],
    async collect() {
      const now = await current();
      this.reset();
      if (!now) return;
      for (const [project, age] of backupAges(now.newest, Date.now(), topProjects)) this.set({ project }, age);
    },
  });
  new Gauge({
    name: 'launchdb_backups',
    help: 'Complete backups in the store, and the projects and platform they cover',
    labelNames: ['of'],
    registers: [registry],
    async collect() {
      const now = await current();
      this.reset();
      if (!now) return;
      this.set({ of: 'backups' }, now.backups);
      this.set({ of: 'subjects' }, now.newest.size);
    },
  });
  new Gauge({
    name: 'launchdb_backup_stored_bytes',
    help: 'Bytes of the complete backups in the store (encrypted, as stored)',
    registers: [registry],
    async collect() {
      const now = await current();
      this.reset();
      if (now) this.set(now.bytes);
    },
  });
  const health = () => service.health() as { lastRun: { at: string; ok: boolean; failed: unknown[] } | null; lastVerify: { at: string; ok: boolean } | null };
  // one series, named by the outcome, whose value is when: absent before the first, never a 0 that reads as "failed"
  new Gauge({
    name: 'launchdb_backup_last_run_timestamp_seconds',
    help: 'When the last run over every project (nightly or all) ended (Unix time); result ok when every backup was made, else failed',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const run = health().lastRun;
      if (run) this.set({ result: run.ok ? 'ok' : 'failed' }, Date.parse(run.at) / 1000);
    },
  });
  new Gauge({
    name: 'launchdb_backup_last_verify_timestamp_seconds',
    help: 'When the last verify (a restore into a scratch database, row counts compared) ended (Unix time); result ok or failed',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const verify = health().lastVerify;
      if (verify) this.set({ result: verify.ok ? 'ok' : 'failed' }, Date.parse(verify.at) / 1000);
    },
  });
}

/**
 * Seconds since each subject's newest backup: the platform's, the `top` stalest projects by
 * name, and `other` for the rest (the stalest of them), so a thousand projects make 22 series.
 */
export function backupAges(newest: ReadonlyMap<string, number>, now: number, top: number): Array<[string, number]> {
  const ages = [...newest].map(([subject, finished]): [string, number] => [subject, Math.max(0, (now - finished) / 1000)]).sort((a, b) => b[1] - a[1]);
  const projects = ages.filter(([subject]) => subject !== PLATFORM_SUBJECT);
  const named = [...ages.filter(([subject]) => subject === PLATFORM_SUBJECT), ...projects.slice(0, top)];
  const rest = projects[top];
  return rest ? [...named, ['other', rest[1]]] : named;
}
