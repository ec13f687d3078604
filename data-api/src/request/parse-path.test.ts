import { describe, expect, it } from 'vitest';
import { actionFor, parseTarget } from './parse-path.ts';
import { pgrstError } from './test-helpers.ts';

describe('parseTarget', () => {
  it('reads the root, relations and routines', () => {
    expect(parseTarget('/')).toEqual({ kind: 'root' });
    expect(parseTarget('')).toEqual({ kind: 'root' });
    expect(parseTarget('/items')).toEqual({ kind: 'relation', name: 'items' });
    expect(parseTarget('/my%20table')).toEqual({ kind: 'relation', name: 'my table' });
    expect(parseTarget('/rpc/add_them')).toEqual({ kind: 'routine', name: 'add_them' });
    expect(parseTarget('/rpc')).toEqual({ kind: 'relation', name: 'rpc' });
    expect(parseTarget('/a+b')).toEqual({ kind: 'relation', name: 'a+b' });
  });
  it('refuses deeper paths: 404 PGRST125', () => {
    for (const path of ['/a/b', '/a/b/c', '/items/', '//items', '/rpc/', '/rpc/f/x']) {
      const e = pgrstError(() => parseTarget(path));
      expect([e.status, e.code, e.message], path).toEqual([404, 'PGRST125', 'Invalid path specified in request URL']);
    }
  });
});

describe('actionFor', () => {
  const relation = { kind: 'relation', name: 't' } as const;
  const routine = { kind: 'routine', name: 'f' } as const;
  const root = { kind: 'root' } as const;
  it('maps methods to actions', () => {
    expect(actionFor(relation, 'GET')).toEqual({ kind: 'read', headersOnly: false });
    expect(actionFor(relation, 'HEAD')).toEqual({ kind: 'read', headersOnly: true });
    expect(actionFor(relation, 'POST')).toEqual({ kind: 'insert' });
    expect(actionFor(relation, 'PUT')).toEqual({ kind: 'put' });
    expect(actionFor(relation, 'PATCH')).toEqual({ kind: 'update' });
    expect(actionFor(relation, 'DELETE')).toEqual({ kind: 'delete' });
    expect(actionFor(relation, 'OPTIONS')).toEqual({ kind: 'info' });
    expect(actionFor(routine, 'GET')).toEqual({ kind: 'call', method: 'GET' });
    expect(actionFor(routine, 'HEAD')).toEqual({ kind: 'call', method: 'HEAD' });
    expect(actionFor(routine, 'POST')).toEqual({ kind: 'call', method: 'POST' });
    expect(actionFor(routine, 'OPTIONS')).toEqual({ kind: 'info' });
    expect(actionFor(root, 'GET')).toEqual({ kind: 'read', headersOnly: false });
    expect(actionFor(root, 'OPTIONS')).toEqual({ kind: 'info' });
  });
  it('refuses other methods: 405 PGRST117', () => {
    for (const [target, method] of [[relation, 'TRACE'], [relation, 'get'], [routine, 'TRACE'], [root, 'POST']] as const) {
      const e = pgrstError(() => actionFor(target, method));
      expect([e.status, e.code, e.message]).toEqual([405, 'PGRST117', `Unsupported HTTP method: ${method}`]);
    }
  });

  it('refuses writes other than POST on a function: 405 PGRST101', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const e = pgrstError(() => actionFor(routine, method));
      expect([e.status, e.code, e.message]).toEqual([405, 'PGRST101', `Cannot use the ${method} method on RPC`]);
    }
  });
});
