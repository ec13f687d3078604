/**
 * What the /api/backups routes ask of the backup service (`@launchdb/backup`'s BackupService,
 * wired by `launchdb up`). Answers are plain JSON; failures are LaunchDbErrors.
 */
export interface BackupOperations {
  list(projectId?: string): Promise<unknown[]>;
  run(request: { project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }): Promise<unknown>;
  /** `allowUnsigned`: the operator takes a manifest the platform cannot check (unsigned, or signed under another master key). */
  verify(id: string, trust?: { allowUnsigned?: boolean | undefined }): Promise<unknown>;
  restore(id: string, request: { project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined; allowUnsigned?: boolean | undefined }): Promise<unknown>;
  restorePlatform(source: string, trust?: { allowUnsigned?: boolean | undefined }): Promise<unknown>;
  /** The same operations in the background (`Prefer: respond-async`): a job to poll, with progress. */
  inBackground(request: BackupJobRequest): { id: string };
  job(id: string): unknown;
  /** The last nightly run and verify, shown in /api/health. */
  health(): Record<string, unknown>;
}

export type BackupJobRequest =
  | { operation: 'run'; project?: string | undefined; all?: boolean | undefined; platform?: boolean | undefined }
  | { operation: 'verify'; id: string; allowUnsigned?: boolean | undefined }
  | { operation: 'restore'; id: string; project?: string | undefined; confirm?: string | undefined; asNew?: string | undefined; allowUnsigned?: boolean | undefined }
  | { operation: 'restore-platform'; source: string; allowUnsigned?: boolean | undefined };
