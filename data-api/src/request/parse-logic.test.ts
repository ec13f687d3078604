import { describe, expect, it } from 'vitest';
import { parseLogicParam } from './parse-logic.ts';
import { pgrstError } from './test-helpers.ts';
import type { Filter, LogicTree } from './types.ts';

const leaf = (column: string, operator: Filter['operator'], value: Filter['value'], negated = false): LogicTree => ({
  kind: 'filter',
  filter: { field: { column, jsonPath: [] }, operator, negated, value },
});
const scalar = (value: string) => ({ kind: 'scalar' as const, value });

describe('parseLogicParam', () => {
  it('reads nested trees with negation', () => {
    expect(parseLogicParam('or', '(a.eq.1,and(b.gt.2,c.is.null),not.and(d.in.(1,2),e.not.eq.x))')).toEqual({
      embedPath: '',
      tree: {
        kind: 'or',
        negated: false,
        children: [
          leaf('a', 'eq', scalar('1')),
          { kind: 'and', negated: false, children: [leaf('b', 'gt', scalar('2')), leaf('c', 'is', { kind: 'is', value: 'null' })] },
          { kind: 'and', negated: true, children: [leaf('d', 'in', { kind: 'list', values: ['1', '2'] }), leaf('e', 'eq', scalar('x'), true)] },
        ],
      },
    });
  });

  it('reads not.or, not.and and embedded paths', () => {
    expect(parseLogicParam('not.or', '(a.eq.1,b.eq.2)').tree).toMatchObject({ kind: 'or', negated: true });
    expect(parseLogicParam('and', '(a.eq.1)').tree).toMatchObject({ kind: 'and', negated: false });
    expect(parseLogicParam('clients.or', '(a.eq.1)')).toMatchObject({ embedPath: 'clients', tree: { kind: 'or', negated: false } });
    expect(parseLogicParam('clients.projects.not.and', '(a.eq.1)')).toMatchObject({ embedPath: 'clients.projects', tree: { kind: 'and', negated: true } });
  });

  it('reads quoted values, array literals, fts and JSON paths inside trees', () => {
    const { tree } = parseLogicParam('or', '( name.eq."a,b)", tags.cs.{x,y}, id.eq(any).{1,2},tsv.fts(english).cat,data->>k.like.*x*)');
    expect(tree).toEqual({
      kind: 'or',
      negated: false,
      children: [
        leaf('name', 'eq', scalar('a,b)')),
        leaf('tags', 'cs', scalar('{x,y}')),
        leaf('id', 'eq', { kind: 'quantified', quantifier: 'any', values: ['1', '2'] }),
        leaf('tsv', 'fts', { kind: 'fts', language: 'english', query: 'cat' }),
        { kind: 'filter', filter: { field: { column: 'data', jsonPath: [{ arrow: '->>', key: 'k' }] }, operator: 'like', negated: false, value: scalar('*x*') } },
      ],
    });
  });

  it('fails with PostgREST messages', () => {
    const empty = pgrstError(() => parseLogicParam('or', '()'));
    expect(empty.code).toBe('PGRST100');
    expect(empty.message).toBe('"failed to parse logic tree (())" (line 1, column 4)');
    // PostgREST's AndOrParamsSpec, word for word
    expect(empty.details).toBe('unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)');
    expect(pgrstError(() => parseLogicParam('or', '(id.in.1,2,id.eq.3)')).message).toBe('"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)');
    expect(pgrstError(() => parseLogicParam('and', '(ord(id.eq.1,id.eq.1),id.eq.2)')).code).toBe('PGRST100');
    expect(pgrstError(() => parseLogicParam('or', '(id.eq.1,not.xor(id.eq.2,id.eq.3))')).message).toContain('column 16');
    for (const bad of [')(', '(a.eq.1', '(a.eq.1,)', '(name.eq."a,b)" ,x.eq.1)']) {
      expect(pgrstError(() => parseLogicParam('or', bad)).code, bad).toBe('PGRST100');
    }
  });

  it('ignores what follows a complete tree, as PostgREST 12 does (a stray `)`)', () => {
    const one = leaf('a', 'eq', scalar('1'));
    expect(parseLogicParam('or', '(a.eq.1))').tree).toEqual(parseLogicParam('or', '(a.eq.1)').tree);
    expect(parseLogicParam('or', "(a.eq.1)'").tree).toMatchObject({ kind: 'or', children: [one] });
  });

  it('reads a key-and-value that form a filter, as PostgREST does', () => {
    // `or` + `.eq.1` is the filter `or=eq.1` on a column named "or"
    expect(parseLogicParam('or', '.eq.1').tree).toEqual(leaf('or', 'eq', scalar('1')));
  });

  it('refuses trees nested beyond the limit', () => {
    const deep = '(' + 'or('.repeat(3000) + 'a.eq.1' + ')'.repeat(3000) + ')';
    expect(pgrstError(() => parseLogicParam('or', deep)).code).toBe('PGRST100');
  });
});
