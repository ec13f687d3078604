import { describe, expect, it } from 'vitest';
import { decodeComponent, percentDecode, splitQueryString } from './query-string.ts';

describe('splitQueryString', () => {
  it('splits on & and ; and at the first =', () => {
    expect(splitQueryString('a=1&b=x=y;c&d=')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'x=y' },
      { key: 'c', value: undefined },
      { key: 'd', value: '' },
    ]);
    expect(splitQueryString('?a=1&')).toEqual([{ key: 'a', value: '1' }]);
    expect(splitQueryString('')).toEqual([]);
    expect(splitQueryString('a=1&&b=2')).toEqual([
      { key: 'a', value: '1' },
      { key: '', value: undefined },
      { key: 'b', value: '2' },
    ]);
  });

  it('decodes after splitting, so encoded separators stay in values', () => {
    expect(splitQueryString('name=eq.a%26b%3Dc%3Bd&x%2Ey=1')).toEqual([
      { key: 'name', value: 'eq.a&b=c;d' },
      { key: 'x.y', value: '1' },
    ]);
  });
});

describe('decodeComponent', () => {
  it('turns + into a space and %XX into bytes, UTF-8', () => {
    expect(decodeComponent('a+b%20c')).toBe('a b c');
    expect(decodeComponent('%2B')).toBe('+');
    expect(decodeComponent('caf%C3%A9')).toBe('café');
    expect(decodeComponent('café')).toBe('café');
  });
  it('keeps malformed escapes and replaces invalid UTF-8', () => {
    expect(decodeComponent('100%')).toBe('100%');
    expect(decodeComponent('%zz%4')).toBe('%zz%4');
    expect(decodeComponent('%FF')).toBe('\uFFFD');
  });
  it('leaves + alone in paths', () => {
    expect(percentDecode('a+b%2F', false)).toBe('a+b/');
  });
});
