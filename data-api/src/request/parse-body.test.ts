import { describe, expect, it } from 'vitest';
import { parsePayload } from './parse-body.ts';
import { pgrstError } from './test-helpers.ts';

const relation = { routine: false, columns: undefined };
const routine = { routine: true, columns: undefined };
const body = (text: string) => Buffer.from(text, 'utf8');

describe('parsePayload', () => {
  it('keeps a JSON object as sent, with its keys', () => {
    const raw = '{ "b": 1, "a": {"nested": true} }';
    expect(parsePayload(body(raw), 'application/json; charset=utf-8', relation)).toEqual({ kind: 'json', raw, keys: ['b', 'a'], isArray: false });
    expect(parsePayload(body(raw), undefined, relation)).toMatchObject({ kind: 'json', keys: ['b', 'a'] });
  });

  it('requires the objects of an array to have the same keys, unless columns= is given', () => {
    const same = '[{"a":1,"b":2},{"b":3,"a":4}]';
    expect(parsePayload(body(same), 'application/json', relation)).toEqual({ kind: 'json', raw: same, keys: ['a', 'b'], isArray: true });
    const differ = '[{"a":1},{"a":1,"b":2}]';
    const e = pgrstError(() => parsePayload(body(differ), 'application/json', relation));
    expect([e.status, e.code, e.message]).toEqual([400, 'PGRST102', 'All object keys must match']);
    expect(parsePayload(body(differ), 'application/json', { routine: false, columns: ['a', 'b'] })).toEqual({ kind: 'json', raw: differ, keys: ['a', 'b'], isArray: true });
    expect(pgrstError(() => parsePayload(body('[1,2]'), 'application/json', relation)).message).toBe('All object keys must match');
    expect(pgrstError(() => parsePayload(body('[{"a":1},[]]'), 'application/json', relation)).message).toBe('All object keys must match');
  });

  it('reads an empty array, and any other JSON value, as an empty array', () => {
    for (const raw of ['[]', ' [ ] ', '5', '"x"', 'null', 'true']) {
      expect(parsePayload(body(raw), 'application/json', relation), raw).toEqual({ kind: 'json', raw: '[]', keys: [], isArray: true });
    }
  });

  it('refuses invalid JSON, and an empty insert, but calls a routine with {} on an empty body', () => {
    for (const raw of ['', ' ', '{', '{"a":}', "{'a':1}"]) {
      const e = pgrstError(() => parsePayload(body(raw), 'application/json', relation));
      expect([e.status, e.code, e.message], raw).toEqual([400, 'PGRST102', 'Empty or invalid json']);
    }
    expect(pgrstError(() => parsePayload(Buffer.from([0x7b, 0xff, 0x7d]), undefined, relation)).message).toBe('Empty or invalid json');
    expect(parsePayload(undefined, undefined, routine)).toEqual({ kind: 'json', raw: '{}', keys: [], isArray: false });
    expect(parsePayload(Buffer.alloc(0), 'application/json', routine)).toEqual({ kind: 'json', raw: '{}', keys: [], isArray: false });
  });

  it('converts CSV to a JSON array text', () => {
    expect(parsePayload(body('a,b\n1,NULL'), 'text/csv', relation)).toEqual({ kind: 'csv', raw: '[{"a":"1","b":null}]', keys: ['a', 'b'] });
  });

  it('converts a form to a JSON object of strings', () => {
    expect(parsePayload(body('name=John+Smith&age=42&empty=&flag&name=Jane'), 'application/x-www-form-urlencoded', relation)).toEqual({
      kind: 'urlencoded',
      raw: '{"name":"Jane","age":"42","empty":"","flag":""}',
      keys: ['name', 'age', 'empty', 'flag'],
    });
    expect(parsePayload(body('v=1&v=2&x=%C3%A9'), 'application/x-www-form-urlencoded', routine)).toEqual({
      kind: 'urlencoded',
      raw: '{"v":["1","2"],"x":"é"}',
      keys: ['v', 'x'],
    });
  });

  it('passes text, XML and bytes whole to a routine only', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(parsePayload(bytes, 'application/octet-stream', routine)).toEqual({ kind: 'raw', raw: bytes, contentType: 'application/octet-stream' });
    expect(parsePayload(body('hi'), 'Text/Plain; charset=utf-8', routine)).toEqual({ kind: 'raw', raw: body('hi'), contentType: 'text/plain' });
    expect(parsePayload(body('<a/>'), 'text/xml', routine)).toMatchObject({ kind: 'raw', contentType: 'text/xml' });
    const e = pgrstError(() => parsePayload(body('hi'), 'text/plain', relation));
    expect([e.status, e.code, e.message]).toEqual([400, 'PGRST102', 'Content-Type not acceptable: text/plain']);
  });

  it('refuses other content types as PostgREST does (400 PGRST102)', () => {
    for (const type of ['application/xml', 'image/png', '*/*', 'application/vnd.pgrst.object+json']) {
      const e = pgrstError(() => parsePayload(body('{}'), type, routine));
      expect([e.code, e.message]).toEqual(['PGRST102', `Content-Type not acceptable: ${type}`]);
    }
  });
});
