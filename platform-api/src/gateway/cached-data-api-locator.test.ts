import { describe, expect, it } from 'vitest';
import type { DataApiLocation, DataApiLocator } from '@launchdb/common';
import { CachedDataApiLocator } from './cached-data-api-locator.ts';

class ScriptedLocator implements DataApiLocator {
  calls = 0;
  constructor(private readonly answer: () => Promise<DataApiLocation>) {}
  locate(): Promise<DataApiLocation> {
    this.calls += 1;
    return this.answer();
  }
}

const ready = (url: string): DataApiLocation => ({ state: 'ready', url });

describe('CachedDataApiLocator', () => {
  it('reuses a ready location for reuseMs, then asks again', async () => {
    let now = 1_000;
    const inner = new ScriptedLocator(async () => ready('http://127.0.0.1:4000'));
    const locator = new CachedDataApiLocator(inner, { reuseMs: 1_000, timeoutMs: 5_000, now: () => now });
    expect(await locator.locate('p1')).toEqual(ready('http://127.0.0.1:4000'));
    now += 999;
    await locator.locate('p1');
    expect(inner.calls).toBe(1);
    now += 1;
    await locator.locate('p1');
    expect(inner.calls).toBe(2);
    locator.forget('p1');
    await locator.locate('p1');
    expect(inner.calls).toBe(3);
  });

  it('shares one locate between the callers waiting for it, and does not keep what is not ready', async () => {
    let release!: (location: DataApiLocation) => void;
    const inner = new ScriptedLocator(() => new Promise((resolve) => (release = resolve)));
    const locator = new CachedDataApiLocator(inner, { reuseMs: 1_000, timeoutMs: 5_000 });
    const waiting = [locator.locate('p1'), locator.locate('p1'), locator.locate('p1')];
    release({ state: 'unavailable', retryAfterSeconds: 3, reason: 'restarting' });
    expect(await Promise.all(waiting)).toEqual(Array(3).fill({ state: 'unavailable', retryAfterSeconds: 3, reason: 'restarting' }));
    expect(inner.calls).toBe(1);
    const next = locator.locate('p1');
    release(ready('http://127.0.0.1:4001'));
    expect(await next).toEqual(ready('http://127.0.0.1:4001'));
    expect(inner.calls).toBe(2);
  });

  it('turns a failing or hanging locator into unavailable, and reports it', async () => {
    const failures: string[] = [];
    const onLocateFailure = (projectId: string) => void failures.push(projectId);
    const failing = new CachedDataApiLocator(new ScriptedLocator(() => Promise.reject(new Error('connect ECONNREFUSED'))), { reuseMs: 1_000, timeoutMs: 5_000, onLocateFailure });
    expect(await failing.locate('p1')).toMatchObject({ state: 'unavailable', retryAfterSeconds: 1 });

    const hanging = new CachedDataApiLocator(new ScriptedLocator(() => new Promise(() => undefined)), { reuseMs: 1_000, timeoutMs: 50, onLocateFailure });
    const started = Date.now();
    expect(await hanging.locate('p2')).toMatchObject({ state: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(failures).toEqual(['p1', 'p2']);
  });
});
