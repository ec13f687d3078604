import { describe, expect, test } from 'vitest';
import { parseNodeTree, viewTargetEntries } from './node-tree.ts';

describe('pg_node_tree reader', () => {
  test('nodes, lists, NULL, empty strings, escapes and datums', () => {
    const tree = parseNodeTree('({CONST :consttype 23 :constvalue 4 [ 1 0 0 0 0 0 0 0 ] :name \\:odd\\ \\{name\\} :empty "" :none <> :ids (i 1 2)})');
    expect(Array.isArray(tree)).toBe(true);
    const node = (tree as Array<{ node: string; fields: Map<string, unknown> }>)[0]!;
    expect(node.node).toBe('CONST');
    expect(node.fields.get('consttype')).toBe('23');
    expect(node.fields.get('constvalue')).toBe('4');
    expect(node.fields.get('name')).toBe(':odd {name}');
    expect(node.fields.get('empty')).toBe('');
    expect(node.fields.get('none')).toBeNull();
    expect(node.fields.get('ids')).toEqual(['i', '1', '2']);
  });

  test('target entries of a view query, junk entries left out', () => {
    const evAction =
      '({QUERY :commandType 1 :querySource 0 :canSetTag true :utilityStmt <> :resultRelation 0 :targetList (' +
      '{TARGETENTRY :expr {VAR :varno 1 :varattno 1 :vartype 23} :resno 1 :resname id :ressortgroupref 0 :resorigtbl 16390 :resorigcol 1 :resjunk false} ' +
      '{TARGETENTRY :expr {FUNCEXPR :funcid 870 :args ({VAR :varno 1 :varattno 2})} :resno 2 :resname upper :ressortgroupref 0 :resorigtbl 0 :resorigcol 0 :resjunk false} ' +
      '{TARGETENTRY :expr {VAR :varno 1 :varattno 3} :resno 3 :resname <> :ressortgroupref 1 :resorigtbl 16390 :resorigcol 3 :resjunk true}' +
      ') :override 0 :onConflict <> :returningList <> :groupClause <> :stmt_len 0})';
    expect(viewTargetEntries(evAction)).toEqual([
      { resno: 1, resname: 'id', resorigtbl: 16390, resorigcol: 1 },
      { resno: 2, resname: 'upper', resorigtbl: 0, resorigcol: 0 },
    ]);
  });
});
