import { describe, expect, it } from 'vitest';
import { parseCookies, pickSchema } from './parse-headers.ts';
import { pgrstError } from './test-helpers.ts';

describe('pickSchema', () => {
  const schemas = ['api', 'other'];
  it('uses Accept-Profile to read and Content-Profile to write', () => {
    expect(pickSchema('GET', {}, schemas)).toBe('api');
    expect(pickSchema('GET', { 'accept-profile': 'other', 'content-profile': 'x' }, schemas)).toBe('other');
    expect(pickSchema('HEAD', { 'accept-profile': 'other' }, schemas)).toBe('other');
    expect(pickSchema('OPTIONS', { 'accept-profile': 'other' }, schemas)).toBe('other');
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(pickSchema(m, { 'content-profile': 'other', 'accept-profile': 'x' }, schemas)).toBe('other');
    }
  });
  it('refuses a schema that is not exposed: 406 PGRST106', () => {
    const e = pgrstError(() => pickSchema('GET', { 'accept-profile': 'secret' }, schemas));
    expect([e.status, e.code, e.message]).toEqual([406, 'PGRST106', 'The schema must be one of the following: api, other']);
    expect(pgrstError(() => pickSchema('POST', { 'content-profile': '' }, schemas)).code).toBe('PGRST106');
  });
});

describe('parseCookies', () => {
  it('splits on ; and the first =', () => {
    expect(parseCookies('a=1; b=x=y;c;  d=  ; a=2')).toEqual({ a: '1', b: 'x=y', c: '', d: '' });
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies('__proto__=1')).toEqual(Object.fromEntries([['__proto__', '1']]));
  });
});
