import { describe, expect, it } from 'vitest';
import { parseRange } from './byte-range.ts';
import { parseFileSize } from './file-size.ts';
import { isMimeTypeAllowed, isValidContentType } from './mime-types.ts';

describe('parseRange', () => {
  it('reads single byte ranges as RFC 9110 defines them', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=0-0', 10)).toEqual({ kind: 'range', range: { start: 0, end: 0 } });
    expect(parseRange('bytes=5-', 10)).toEqual({ kind: 'range', range: { start: 5, end: 9 } });
    expect(parseRange('bytes=5-100', 10)).toEqual({ kind: 'range', range: { start: 5, end: 9 } });
    expect(parseRange('bytes=-4', 10)).toEqual({ kind: 'range', range: { start: 6, end: 9 } });
    expect(parseRange('bytes=-40', 10)).toEqual({ kind: 'range', range: { start: 0, end: 9 } });
  });

  it('answers unsatisfiable ranges and ignores what it does not serve', () => {
    expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,4-5', 10)).toEqual({ kind: 'none' });
    expect(parseRange('items=0-1', 10)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=5-2', 10)).toEqual({ kind: 'none' });
  });
});

describe('parseFileSize', () => {
  it("reads Supabase's sizes in decimal units, as Supabase computes them", () => {
    expect(parseFileSize(1000)).toBe(1000);
    expect(parseFileSize('52428800')).toBe(52428800);
    expect(parseFileSize('3B')).toBe(3);
    expect(parseFileSize('30KB')).toBe(30_000);
    expect(parseFileSize('20mb')).toBe(20_000_000);
    expect(parseFileSize('1.5GB')).toBe(1_500_000_000);
    // three significant digits, as Supabase's parseFileSizeToBytes keeps
    expect(parseFileSize('1.2345GB')).toBe(1_230_000_000);
    expect(parseFileSize('20 mb')).toBeUndefined();
    expect(parseFileSize('1TB')).toBeUndefined();
    expect(parseFileSize('lots')).toBeUndefined();
    expect(parseFileSize(-1)).toBeUndefined();
    expect(parseFileSize(1.5)).toBeUndefined();
  });
});

describe('isMimeTypeAllowed', () => {
  it('matches exact types and wildcards, ignoring parameters and case', () => {
    expect(isMimeTypeAllowed('image/png', null)).toBe(true);
    expect(isMimeTypeAllowed('image/png', [])).toBe(true);
    expect(isMimeTypeAllowed('image/PNG', ['image/png'])).toBe(true);
    expect(isMimeTypeAllowed('image/webp', ['image/*'])).toBe(true);
    expect(isMimeTypeAllowed('text/plain;charset=UTF-8', ['text/plain'])).toBe(true);
    expect(isMimeTypeAllowed('application/pdf', ['image/*', 'text/plain'])).toBe(false);
    expect(isMimeTypeAllowed('imagex/png', ['image/*'])).toBe(false);
  });

  it('tells a content type from garbage', () => {
    expect(isValidContentType('text/plain;charset=UTF-8')).toBe(true);
    expect(isValidContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(true);
    expect(isValidContentType('not a type')).toBe(false);
  });
});
