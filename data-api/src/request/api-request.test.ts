import { describe, expect, it } from 'vitest';
import { parseApiRequest, type RawRequest } from './api-request.ts';
import { pgrstError } from './test-helpers.ts';

const config = { schemas: ['public', 'api'] };
const request = (r: Partial<RawRequest>): RawRequest => ({ method: 'GET', path: '/items', query: '', headers: {}, body: undefined, ...r });
const parse = (r: Partial<RawRequest>) => parseApiRequest(request(r), config);

describe('parseApiRequest', () => {
  it('parses a read with everything PostgREST reads', () => {
    const r = parse({
      query: 'select=id,clients(name)&id=gt.1&clients.name=eq.x&order=id.desc&limit=10',
      headers: {
        accept: 'application/json, text/csv;q=0.5',
        prefer: 'count=exact',
        range: '0-4',
        'accept-profile': 'api',
        cookie: 'session=abc; theme=dark',
        'x-custom': 'yes',
      },
    });
    expect(r.method).toBe('GET');
    expect(r.path).toBe('/items');
    expect(r.target).toEqual({ kind: 'relation', name: 'items' });
    expect(r.action).toEqual({ kind: 'read', headersOnly: false });
    expect(r.schema).toBe('api');
    expect(r.select).toHaveLength(2);
    expect(r.modifiers.get('')?.filters).toHaveLength(1);
    expect(r.modifiers.get('clients')?.filters).toHaveLength(1);
    expect(r.modifiers.get('')?.limit).toBe(10);
    expect(r.range).toEqual({ offset: 0, limit: 5 });
    expect(r.preferences.count).toBe('exact');
    expect(r.accept.map((a) => a.type)).toEqual(['application/json', 'text/csv']);
    expect(r.cookies).toEqual({ session: 'abc', theme: 'dark' });
    expect(r.headers['x-custom']).toBe('yes');
    expect(r.headers).not.toHaveProperty('cookie');
    expect(r.payload).toBeUndefined();
    expect(r.contentType).toBeUndefined();
    expect(r.rpcArguments.size).toBe(0);
  });

  it('defaults: first schema, select *, accept */*', () => {
    const r = parse({});
    expect(r.schema).toBe('public');
    expect(r.select).toEqual([{ kind: 'star' }]);
    expect(r.accept).toEqual([{ type: '*/*', parameters: {}, quality: 1 }]);
    expect(r.range).toBeUndefined();
    expect(r.columns).toBeUndefined();
  });

  it('parses an insert with its body, columns and on_conflict', () => {
    const r = parse({
      method: 'POST',
      query: 'columns=a,b&on_conflict=a&select=a',
      headers: { 'content-type': 'application/json', prefer: 'return=representation,resolution=merge-duplicates', 'content-profile': 'api' },
      body: Buffer.from('[{"a":1},{"b":2}]'),
    });
    expect(r.action).toEqual({ kind: 'insert' });
    expect(r.schema).toBe('api');
    expect(r.columns).toEqual(['a', 'b']);
    expect(r.onConflict).toEqual(['a']);
    expect(r.contentType).toBe('application/json');
    expect(r.payload).toEqual({ kind: 'json', raw: '[{"a":1},{"b":2}]', keys: ['a', 'b'], isArray: true });
    expect(r.preferences.understood).toEqual(['resolution=merge-duplicates', 'return=representation']);
  });

  it('applies columns= to updates but not to PUT', () => {
    expect(() => parse({ method: 'PATCH', query: 'columns=a', body: Buffer.from('[{"a":1},{"b":1}]') })).not.toThrow();
    expect(pgrstError(() => parse({ method: 'PUT', query: 'columns=a&id=eq.1', body: Buffer.from('[{"a":1},{"b":1}]') })).code).toBe('PGRST102');
  });

  it('refuses an empty insert body, ignores bodies of reads and deletes', () => {
    expect(pgrstError(() => parse({ method: 'POST' })).message).toBe('Empty or invalid json');
    expect(parse({ method: 'DELETE', query: 'id=eq.1', body: Buffer.from('not json') }).payload).toBeUndefined();
    expect(parse({ method: 'GET', body: Buffer.from('not json') }).payload).toBeUndefined();
  });

  it('keeps the arguments of a GET call raw, and parses filters of a POST call', () => {
    const get = parse({ path: '/rpc/search', query: 'term=abc&id=gt.5&order=id&limit=2' });
    expect(get.target).toEqual({ kind: 'routine', name: 'search' });
    expect(get.action).toEqual({ kind: 'call', method: 'GET' });
    expect([...get.rpcArguments]).toEqual([
      ['term', ['abc']],
      ['id', ['gt.5']],
    ]);
    expect(get.modifiers.get('')?.filters).toEqual([]);
    expect(get.payload).toBeUndefined();

    const post = parse({ method: 'POST', path: '/rpc/search', query: 'id=gt.5', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"term":"abc"}') });
    expect(post.action).toEqual({ kind: 'call', method: 'POST' });
    expect(post.modifiers.get('')?.filters).toHaveLength(1);
    expect(post.payload).toEqual({ kind: 'json', raw: '{"term":"abc"}', keys: ['term'], isArray: false });
    expect(parse({ method: 'POST', path: '/rpc/now' }).payload).toEqual({ kind: 'json', raw: '{}', keys: [], isArray: false });
    expect(pgrstError(() => parse({ method: 'POST', path: '/rpc/f', query: 'a=1' })).code).toBe('PGRST100');
  });

  it('reads the root and OPTIONS', () => {
    expect(parse({ path: '/' })).toMatchObject({ target: { kind: 'root' }, action: { kind: 'read', headersOnly: false } });
    expect(parse({ method: 'OPTIONS' }).action).toEqual({ kind: 'info' });
    expect(parse({ method: 'HEAD', path: '/rpc/f' }).action).toEqual({ kind: 'call', method: 'HEAD' });
  });

  it('reads Range only on GET', () => {
    expect(parse({ method: 'HEAD', headers: { range: '0-1' } }).range).toBeUndefined();
    expect(parse({ method: 'PATCH', headers: { range: '0-1' }, body: Buffer.from('{}') }).range).toBeUndefined();
    expect(pgrstError(() => parse({ headers: { range: '10-5' } })).status).toBe(416);
    expect(() => parse({ method: 'DELETE', headers: { range: '10-5' } })).not.toThrow();
    expect(parse({ headers: { range: 'items=0-9', 'range-unit': 'items' } }).range).toBeUndefined();
  });

  it('refuses limit on PUT and negative limits', () => {
    expect(pgrstError(() => parse({ method: 'PUT', query: 'id=eq.1&limit=1', body: Buffer.from('{"id":1}') })).code).toBe('PGRST114');
    expect(pgrstError(() => parse({ query: 'limit=-1' })).code).toBe('PGRST103');
  });

  it('checks handling=strict preferences last', () => {
    expect(parse({ headers: { prefer: 'handling=lenient, nonsense' } }).preferences.invalid).toEqual(['nonsense']);
    const e = pgrstError(() => parse({ headers: { prefer: 'handling=strict, nonsense, count=maybe' } }));
    expect([e.status, e.code, e.details]).toEqual([400, 'PGRST122', 'Invalid preferences: nonsense, count=maybe']);
    expect(pgrstError(() => parse({ query: 'id=x', headers: { prefer: 'handling=strict, nonsense' } })).code).toBe('PGRST100');
  });

  it('reports errors in PostgREST order: path, schema, method, query, range, body', () => {
    expect(pgrstError(() => parse({ method: 'TRACE', path: '/a/b', headers: { 'accept-profile': 'x' } })).code).toBe('PGRST125');
    expect(pgrstError(() => parse({ method: 'TRACE', headers: { 'accept-profile': 'x' } })).code).toBe('PGRST106');
    expect(pgrstError(() => parse({ method: 'TRACE', query: 'id=x' })).code).toBe('PGRST117');
    expect(pgrstError(() => parse({ query: 'id=x&limit=-1', headers: { range: '5-1' } })).code).toBe('PGRST100');
    expect(pgrstError(() => parse({ method: 'POST', query: 'limit=-1', body: Buffer.from('{') })).code).toBe('PGRST103');
  });

  it('accepts header names in any case', () => {
    expect(parse({ headers: { 'Accept-Profile': 'api', Prefer: 'count=planned' } })).toMatchObject({ schema: 'api', preferences: { count: 'planned' } });
  });
});
