import { describe, expect, it } from 'vitest';
import { capturePath, isNetworkFailure } from './capture-queue.ts';

describe('captures', () => {
  it('are stored in their creator’s folder under their own id', () => {
    expect(capturePath('u1', 'c1', 'IMG_0042.JPG', 'photo')).toBe('u1/c1.jpg');
    expect(capturePath('u1', 'c1', null, 'voice')).toBe('u1/c1.webm');
    expect(capturePath('u1', 'c1', 'no-extension', 'photo')).toBe('u1/c1.jpg');
  });

  it('queue on network failures, not on refusals', () => {
    expect(isNetworkFailure(new TypeError('Failed to fetch'))).toBe(true);
    expect(isNetworkFailure({ name: 'StorageUnknownError', message: 'fetch failed' })).toBe(true);
    expect(isNetworkFailure({ code: '42501', message: 'new row violates row-level security policy', status: 403 })).toBe(false);
  });
});
