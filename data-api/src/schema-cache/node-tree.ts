/**
 * A reader for PostgreSQL's `pg_node_tree` text (the stored parse tree of a view, as in
 * `pg_rewrite.ev_action`), enough to tell which base table column each view column comes
 * from: the top-level query's target list carries `resorigtbl` / `resorigcol` for every
 * output column that is a plain column reference (also through subqueries and CTEs).
 *
 * The grammar follows PostgreSQL's outfuncs.c / read.c: `{NODE :field value …}` nodes,
 * `( … )` lists, `<>` for NULL, backslash-escaped atoms, and datums written as
 * `length [ byte byte … ]`.
 */

export type NodeValue = NodeObject | NodeValue[] | string | null;

export interface NodeObject {
  node: string;
  fields: Map<string, NodeValue>;
}

/** One output column of a view: where it comes from (0 when not a plain column reference). */
export interface TargetEntry {
  /** 1-based position of the view column (its attnum). */
  resno: number;
  /** Name of the output column when the view was created. */
  resname: string | null;
  resorigtbl: number;
  resorigcol: number;
}

interface Token {
  text: string;
  /** Whether the token was written with backslash escapes (then it is never `<>` or a delimiter). */
  escaped: boolean;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const length = input.length;
  while (index < length) {
    const char = input[index]!;
    if (char === ' ' || char === '\n' || char === '\t' || char === '\r') {
      index++;
      continue;
    }
    if (char === '(' || char === ')' || char === '{' || char === '}') {
      tokens.push({ text: char, escaped: false });
      index++;
      continue;
    }
    let text = '';
    let escaped = false;
    while (index < length) {
      const current = input[index]!;
      if (current === ' ' || current === '\n' || current === '\t' || current === '\r' || current === '(' || current === ')' || current === '{' || current === '}') break;
      if (current === '\\' && index + 1 < length) {
        text += input[index + 1];
        escaped = true;
        index += 2;
      } else {
        text += current;
        index++;
      }
    }
    tokens.push({ text, escaped });
  }
  return tokens;
}

class NodeTreeReader {
  #tokens: Token[];
  #position = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  read(): NodeValue {
    return this.#value();
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#position];
  }

  #next(): Token {
    const token = this.#tokens[this.#position++];
    if (!token) throw new Error('pg_node_tree: unexpected end of input');
    return token;
  }

  #value(): NodeValue {
    const token = this.#next();
    if (!token.escaped) {
      if (token.text === '{') return this.#node();
      if (token.text === '(') return this.#list();
      if (token.text === '<>') return null;
      if (token.text === '""') return '';
    }
    return token.text;
  }

  #node(): NodeObject {
    const name = this.#next().text;
    const fields = new Map<string, NodeValue>();
    for (;;) {
      const token = this.#peek();
      if (!token) throw new Error('pg_node_tree: unterminated node');
      if (!token.escaped && token.text === '}') {
        this.#position++;
        return { node: name, fields };
      }
      this.#position++;
      if (token.escaped || !token.text.startsWith(':')) {
        // Not a field label: an extra value of the previous field (never produced by outfuncs.c for the fields we read).
        continue;
      }
      const label = token.text.slice(1);
      const value = this.#value();
      fields.set(label, value);
      // A datum: `length [ b b … ]`, the bracketed bytes are part of the value.
      const after = this.#peek();
      if (after && !after.escaped && after.text === '[') {
        while (this.#position < this.#tokens.length && this.#next().text !== ']');
      }
    }
  }

  #list(): NodeValue[] {
    const items: NodeValue[] = [];
    for (;;) {
      const token = this.#peek();
      if (!token) throw new Error('pg_node_tree: unterminated list');
      if (!token.escaped && token.text === ')') {
        this.#position++;
        return items;
      }
      items.push(this.#value());
    }
  }
}

export function parseNodeTree(text: string): NodeValue {
  return new NodeTreeReader(tokenize(text)).read();
}

function isNode(value: NodeValue | undefined, name?: string): value is NodeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (name === undefined || value.node === name);
}

function integerField(node: NodeObject, field: string): number {
  const value = node.fields.get(field);
  return typeof value === 'string' ? Number.parseInt(value, 10) || 0 : 0;
}

/** The non-junk target entries of the first query of a view's `_RETURN` rule. */
export function viewTargetEntries(evAction: string): TargetEntry[] {
  const tree = parseNodeTree(evAction);
  const query = Array.isArray(tree) ? tree[0] : tree;
  if (!isNode(query, 'QUERY')) return [];
  const targetList = query.fields.get('targetList');
  if (!Array.isArray(targetList)) return [];
  const entries: TargetEntry[] = [];
  for (const entry of targetList) {
    if (!isNode(entry, 'TARGETENTRY')) continue;
    if (entry.fields.get('resjunk') === 'true') continue;
    const resname = entry.fields.get('resname');
    entries.push({
      resno: integerField(entry, 'resno'),
      resname: typeof resname === 'string' ? resname : null,
      resorigtbl: integerField(entry, 'resorigtbl'),
      resorigcol: integerField(entry, 'resorigcol'),
    });
  }
  return entries;
}
