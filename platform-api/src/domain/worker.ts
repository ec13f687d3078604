/**
 * What the platform asks of the worker (worker/, run in-process by `launchdb up`); platform-api
 * does not depend on the worker package, the worker implements this.
 */
export interface WorkerOperations {
  /**
   * Runs the project's due-task reminder sweep now, by the scheduled sweep's rules; what it sent,
   * skipped and failed. Undefined when the worker does not serve the project (its template has no worker).
   */
  dueSweep(projectId: string): Promise<unknown>;
  /** Queue depth, jobs done and failed, LISTEN sessions: a line of /api/health. */
  health(): unknown;
}
