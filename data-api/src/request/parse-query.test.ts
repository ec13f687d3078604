import { describe, expect, it } from 'vitest';
import { isReservedKey, parseQueryParameters } from './parse-query.ts';
import { pgrstError } from './test-helpers.ts';

const relation = (q: string) => parseQueryParameters(q, { routineRead: false });

describe('parseQueryParameters', () => {
  it('defaults to select=* and an empty root', () => {
    const q = relation('');
    expect(q.select).toEqual([{ kind: 'star' }]);
    expect([...q.modifiers.entries()]).toEqual([['', { filters: [], logic: [], order: [], limit: undefined, offset: undefined }]]);
    expect(q.columns).toBeUndefined();
    expect(q.onConflict).toBeUndefined();
    expect(q.rpcArguments.size).toBe(0);
  });

  it('sorts parameters into select, filters, logic, order and paging per embed path', () => {
    const q = relation(
      'select=id,clients(id,projects(id))&id=gt.1&id=lt.10&clients.name=eq.x&clients.projects.id=gt.1' +
        '&or=(a.eq.1,b.eq.2)&not.and=(c.eq.1,d.eq.2)&clients.or=(e.eq.1)' +
        '&order=id.desc&clients.order=name&limit=10&offset=5&clients.limit=2&clients.projects.offset=1' +
        '&columns=a,b&on_conflict=id',
    );
    expect(q.select).toHaveLength(2);
    const root = q.modifiers.get('')!;
    expect(root.filters.map((f) => f.operator)).toEqual(['gt', 'lt']);
    expect(root.logic.map((l) => [l.kind, 'negated' in l && l.negated])).toEqual([
      ['or', false],
      ['and', true],
    ]);
    expect(root.order).toEqual([{ relation: undefined, field: { column: 'id', jsonPath: [] }, direction: 'desc', nulls: undefined }]);
    expect([root.limit, root.offset]).toEqual([10, 5]);
    const clients = q.modifiers.get('clients')!;
    expect(clients.filters).toHaveLength(1);
    expect(clients.logic).toHaveLength(1);
    expect(clients.order[0]?.field.column).toBe('name');
    expect(clients.limit).toBe(2);
    const projects = q.modifiers.get('clients.projects')!;
    expect(projects.filters[0]?.operator).toBe('gt');
    expect(projects.offset).toBe(1);
    expect(q.columns).toEqual(['a', 'b']);
    expect(q.onConflict).toEqual(['id']);
  });

  it('decodes values after splitting, with + as a space', () => {
    const q = relation('name=eq.John+Smith&tag=in.(a%2Cb,%22c%2Cd%22)&x=like.a%25');
    const [name, tag, x] = q.modifiers.get('')!.filters;
    expect(name?.value).toEqual({ kind: 'scalar', value: 'John Smith' });
    expect(tag?.value).toEqual({ kind: 'list', values: ['a', 'b', 'c,d'] });
    expect(x?.value).toEqual({ kind: 'scalar', value: 'a%' });
  });

  it('uses the first select and order, the last limit, and ignores keys without =', () => {
    const q = relation('select=a&select=b&order=a&order=b&limit=1&limit=2&id&select');
    expect(q.select).toEqual([{ kind: 'field', field: { column: 'a', jsonPath: [] }, alias: undefined, cast: undefined, aggregate: undefined, aggregateCast: undefined }]);
    expect(q.modifiers.get('')!.order[0]?.field.column).toBe('a');
    expect(q.modifiers.get('')!.limit).toBe(2);
    expect(q.modifiers.get('')!.filters).toEqual([]);
  });

  it('ignores limit and offset that are not integers, like PostgREST', () => {
    const q = relation('limit=abc&offset=1.5&clients.limit= 3 ');
    expect(q.modifiers.get('')!.limit).toBeUndefined();
    expect(q.modifiers.get('')!.offset).toBeUndefined();
    expect(q.modifiers.get('clients')!.limit).toBe(3);
    expect(relation('limit=-1').modifiers.get('')!.limit).toBe(-1);
  });

  it('keeps non-reserved parameters raw for a GET call of a routine', () => {
    const q = parseQueryParameters('a=1&b=eq.2&v=x&v=y&select=x&order=x&limit=3&or=(a.eq.1)&flag', { routineRead: true });
    expect([...q.rpcArguments.entries()]).toEqual([
      ['a', ['1']],
      ['b', ['eq.2']],
      ['v', ['x', 'y']],
    ]);
    expect(q.modifiers.get('')!.filters).toEqual([]);
    expect(q.modifiers.get('')!.order).toHaveLength(1);
    expect(q.modifiers.get('')!.logic).toHaveLength(1);
    expect(q.modifiers.get('')!.limit).toBe(3);
  });

  it('reports the first failing parameter in PostgREST order (order, logic, columns, select, filters, on_conflict)', () => {
    expect(pgrstError(() => relation('select=!&order=!')).message).toMatch(/^"failed to parse order/);
    expect(pgrstError(() => relation('select=!&or=!')).message).toMatch(/^"failed to parse logic tree/);
    expect(pgrstError(() => relation('select=!&columns=!')).message).toMatch(/^"failed to parse columns/);
    expect(pgrstError(() => relation('id=x&select=!')).message).toMatch(/^"failed to parse select/);
    expect(pgrstError(() => relation('on_conflict=!&id=x')).message).toMatch(/^"failed to parse filter \(x\)"/);
    expect(pgrstError(() => relation('on_conflict=!')).message).toMatch(/^"failed to parse on_conflict/);
    expect(pgrstError(() => relation('id=')).message).toBe('"failed to parse filter ()" (line 1, column 1)');
  });
});

describe('isReservedKey', () => {
  it('knows the reserved words and their embedded forms', () => {
    for (const k of ['select', 'columns', 'on_conflict', 'order', 'limit', 'offset', 'or', 'and', 'not.or', 'not.and', 'a.order', 'a.b.limit', 'a.offset', 'a.or', 'a.not.and']) {
      expect(isReservedKey(k), k).toBe(true);
    }
    for (const k of ['id', 'a.select', 'a.columns', 'orders', 'a.id']) expect(isReservedKey(k), k).toBe(false);
  });
});
