export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
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
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          dependency.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [dependency.name, { status: 'up', latencyMs: elapsed(started) }];
      } catch (error) {
        return [dependency.name, { status: 'down', latencyMs: elapsed(started), error: (error as Error).message }];
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
