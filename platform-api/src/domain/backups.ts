/**
 * What the /api/backups routes ask of the backup service (`@launchdb/backup`'s BackupService,
 * wired by `launchdb up`). Answers are plain JSON; failures are LaunchDbErrors.
 */
export interface BackupOperations {
  list(projectId?: string): Promise<unknown[]>;
  run(request: { project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }): Promise<unknown>;
  verify(id: string): Promise<unknown>;
  restore(id: string, request: { project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined }): Promise<unknown>;
  restorePlatform(source: string): Promise<unknown>;
  /** The same operations in the background (`Prefer: respond-async`): a job to poll, with progress. */
  inBackground(request: BackupJobRequest): { id: string };
  job(id: string): unknown;
  /** The last nightly run and verify, shown in /api/health. */
  health(): Record<string, unknown>;
}

export type BackupJobRequest =
  | { operation: 'run'; project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }
  | { operation: 'verify'; id: string }
  | { operation: 'restore'; id: string; project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined }
  | { operation: 'restore-platform'; source: string };
