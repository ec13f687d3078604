export interface RestartBackoffOptions {
  /** Delay before the first retry: short, so a crash costs clients about a second. */
  initialMs?: number;
  /** The longest delay between retries. */
  maxMs?: number;
  factor?: number;
  /** A data API that ran this long before it crashed counts as healthy: its next retry is fast again. */
  stableAfterMs?: number;
}

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  stableAfterMs: number;
}

export function restartBackoff(options: RestartBackoffOptions = {}): RestartBackoff {
  return {
    initialMs: options.initialMs ?? 200,
    maxMs: options.maxMs ?? 30_000,
    factor: options.factor ?? 2,
    stableAfterMs: options.stableAfterMs ?? 60_000,
  };
}

/** The delay before retry number `consecutiveFailures` (1 for the first): 200 ms, 400 ms, 800 ms, … up to the cap. */
export function restartDelay(backoff: RestartBackoff, consecutiveFailures: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.factor ** exponent));
}
