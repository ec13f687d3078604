export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
  /** For a process the platform runs and restarts itself: where it is in its life. */
  process?: () => ProcessState;
}

export interface ProcessState {
  state: 'running' | 'restarting' | 'failed' | 'stopped';
  /** When it entered this state: for an outage, when the outage began. */
  since: Date;
  restarts: number;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
  /** Only for a process the platform runs (see DependencyCheck.process). */
  state?: ProcessState['state'];
  since?: string;
  restarts?: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  dependencies: Record<string, DependencyStatus>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once, each bounded in time, so a hung dependency cannot hang the probe. */
export async function checkHealth(checks: DependencyCheck[]): Promise<HealthReport> {
  const entries = await Promise.all(
    checks.map(async (dependency): Promise<[string, DependencyStatus]> => {
      const started = performance.now();
      const process = dependency.process?.();
      const lifecycle = process ? { state: process.state, since: process.since.toISOString(), restarts: process.restarts } : {};
      // a process known to be down is not asked: the answer would only be a slower refusal
      if (process && process.state !== 'running') {
        return [dependency.name, { status: 'down', latencyMs: 0, error: `${process.state} since ${lifecycle.since}`, ...lifecycle }];
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          dependency.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [dependency.name, { status: 'up', latencyMs: elapsed(started), ...lifecycle }];
      } catch (error) {
        return [dependency.name, { status: 'down', latencyMs: elapsed(started), error: (error as Error).message, ...lifecycle }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  const status = entries.every(([, result]) => result.status === 'up') ? 'ok' : 'degraded';
  return { status, dependencies };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
