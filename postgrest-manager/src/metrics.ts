import { Counter, Gauge, type Registry } from '@launchdb/common/metrics';
import type { DataApiFleet, DataApiState } from './domain/data-api-fleet.ts';

/** How an operator reads the fleet's states: awake, asleep, crashed (restarting or failed), or on the way. */
const READING: Record<DataApiState, string> = {
  running: 'awake',
  sleeping: 'asleep',
  restarting: 'crashed',
  failed: 'crashed',
  starting: 'starting',
  stopping: 'stopping',
};
const READINGS = [...new Set(Object.values(READING))];

/**
 * The data APIs' states and restarts, read from the fleet's memory when Prometheus scrapes:
 * no query, no driver call, whatever the number of projects.
 */
export function registerDataApiMetrics(registry: Registry, fleet: DataApiFleet): void {
  new Gauge({
    name: 'launchdb_data_apis',
    help: 'Data APIs by state: awake (running), asleep (scaled to zero or not started), crashed (restarting or failed), starting, stopping',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map(READINGS.map((reading) => [reading, 0]));
      for (const status of fleet.list()) counts.set(READING[status.state], counts.get(READING[status.state])! + 1);
      this.reset();
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Counter({
    name: 'launchdb_data_api_restarts_total',
    help: 'Data API crashes (exits and failed health checks) restarted since postgrest-manager started',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(fleet.restartsTotal);
    },
  });
}
