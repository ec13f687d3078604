import type { DataApiControl } from '@launchdb/common';

/**
 * What operators see of the projects' data APIs and may do to them: postgrest-manager's client
 * (its status objects are passed through as it reports them: state, url, pid, restarts, …).
 */
export interface DataApiFleetView extends DataApiControl {
  list(): Promise<object[]>;
  /** Undefined when the manager does not know the project. */
  status(projectId: string): Promise<object | undefined>;
}
