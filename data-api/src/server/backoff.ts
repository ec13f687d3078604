/** Exponential backoff between retries: initialMs, doubled each time, at most maxMs. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

export function nextDelay(current: number, backoff: Backoff): number {
  return Math.min(current * 2, backoff.maxMs);
}

/** A sleep that `cancel()` ends early (on shutdown), resolving false. */
export function cancellableSleep(ms: number): { done: Promise<boolean>; cancel(): void } {
  let finish: (completed: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(() => finish(true), ms);
  timer.unref();
  return {
    done,
    cancel() {
      clearTimeout(timer);
      finish(false);
    },
  };
}
