import { describe, expect, it } from 'vitest';
import { decodeMediaType, parseAccept } from './parse-accept.ts';

describe('parseAccept', () => {
  it('is */* without a header', () => {
    expect(parseAccept(undefined)).toEqual([{ type: '*/*', parameters: {}, quality: 1 }]);
    expect(parseAccept('  ')).toEqual([{ type: '*/*', parameters: {}, quality: 1 }]);
  });

  it('orders by quality, then specificity, then as sent', () => {
    expect(parseAccept('text/csv;q=0.5, application/json, */*;q=0.1, text/plain').map((m) => [m.type, m.quality])).toEqual([
      ['application/json', 1],
      ['text/plain', 1],
      ['text/csv', 0.5],
      ['*/*', 0.1],
    ]);
    expect(parseAccept('*/*, application/vnd.pgrst.object+json;nulls=stripped, text/csv').map((m) => m.type)).toEqual([
      'application/vnd.pgrst.object+json',
      'text/csv',
      '*/*',
    ]);
  });

  it('reads parameters, quoted or not', () => {
    expect(parseAccept('application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose')).toEqual([
      { type: 'application/vnd.pgrst.plan+json', parameters: { for: 'application/json', options: 'analyze|verbose' }, quality: 1 },
    ]);
    expect(parseAccept('Application/JSON;q=0.9;charset=utf-8')).toEqual([{ type: 'application/json', parameters: {}, quality: 0.9 }]);
  });

  it('reads unreadable qualities as 1 and keeps q=0 entries for the planner', () => {
    expect(parseAccept('text/csv;q=abc').map((m) => m.quality)).toEqual([1]);
    expect(parseAccept('text/csv;q=0, application/json').map((m) => [m.type, m.quality])).toEqual([
      ['application/json', 1],
      ['text/csv', 0],
    ]);
  });

  it('gives vendor aliases their +json names', () => {
    expect(decodeMediaType('application/vnd.pgrst.object').type).toBe('application/vnd.pgrst.object+json');
    expect(decodeMediaType('application/vnd.pgrst.array;nulls=stripped')).toEqual({
      type: 'application/vnd.pgrst.array+json',
      parameters: { nulls: 'stripped' },
      quality: 1,
    });
    expect(decodeMediaType('application/vnd.pgrst.plan').type).toBe('application/vnd.pgrst.plan');
    expect(decodeMediaType('x/y;__proto__=1;toString=2').parameters).toEqual(Object.fromEntries([['__proto__', '1'], ['tostring', '2']]));
  });
});
