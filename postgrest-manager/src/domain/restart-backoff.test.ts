import { describe, expect, it } from 'vitest';
import { restartBackoff, restartDelay } from './restart-backoff.ts';

describe('restartDelay', () => {
  it('retries fast first, then doubles up to the cap', () => {
    const backoff = restartBackoff();
    expect([1, 2, 3, 4, 5].map((failures) => restartDelay(backoff, failures))).toEqual([200, 400, 800, 1600, 3200]);
    expect(restartDelay(backoff, 20)).toBe(30_000);
    expect(restartDelay(backoff, 1000)).toBe(30_000);
  });

  it('treats zero failures like the first', () => {
    expect(restartDelay(restartBackoff({ initialMs: 150 }), 0)).toBe(150);
  });
});
