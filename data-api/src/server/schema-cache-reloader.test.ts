import { describe, expect, it } from 'vitest';
import { createLogger } from '@launchdb/common';
import { SchemaCacheReloader } from './schema-cache-reloader.ts';
import { testSchemaCache } from './test-stages.ts';
import type { SchemaCacheSource } from './dependencies.ts';

const logger = createLogger({ level: 'silent', name: 'data-api' });

/** A source whose loads take `ms` and fail while `failures` is above zero. */
function source(ms: number, failures = 0) {
  const state = { started: 0, finished: 0, failures };
  const cache = testSchemaCache([]);
  const loader: SchemaCacheSource = {
    current: () => (state.finished > 0 ? cache : undefined),
    async reload() {
      state.started += 1;
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (state.failures > 0) {
        state.failures -= 1;
        throw new Error('not yet');
      }
      state.finished += 1;
    },
  };
  return { state, loader };
}

describe('SchemaCacheReloader', () => {
  it('retries a failing load with backoff until it succeeds', async () => {
    const { state, loader } = source(1, 3);
    const reloader = new SchemaCacheReloader(loader, logger, { initialMs: 5, maxMs: 20 });
    await reloader.reload('test');
    expect(state).toEqual({ started: 4, finished: 1, failures: 0 });
    expect(reloader.busy).toBe(false);
  });

  it('runs one more load for asks that arrive during a load, not one per ask', async () => {
    const { state, loader } = source(30);
    const reloader = new SchemaCacheReloader(loader, logger, { initialMs: 5, maxMs: 20 });
    const first = reloader.reload('first');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const asks = [reloader.reload('second'), reloader.reload('third'), reloader.reload('fourth')];
    await Promise.all([first, ...asks]);
    expect(state.finished).toBe(2);
  });

  it('stops retrying when stopped', async () => {
    const { state, loader } = source(1, Number.POSITIVE_INFINITY);
    const reloader = new SchemaCacheReloader(loader, logger, { initialMs: 10_000, maxMs: 10_000 });
    const loading = reloader.reload('test');
    await new Promise((resolve) => setTimeout(resolve, 20));
    reloader.stop();
    await loading;
    expect(state.started).toBe(1);
    await reloader.reload('after stop');
    expect(state.started).toBe(1);
  });
});
