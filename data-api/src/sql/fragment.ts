/**
 * SQL as data: literal text and bound values kept apart until `render` numbers the
 * placeholders. Identifiers enter only through `ident` (quoted), values only through `param`,
 * so no client string is ever spliced into SQL text.
 */
export type Part = { text: string } | { value: unknown };

/**
 * A fragment is a tree, flattened once by `render`: composing fragments (every `sql` of every
 * clause) then costs one small object, where copying the parts at each level would copy the
 * whole statement again at every nesting level.
 */
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; value: unknown }
  | { kind: 'template'; strings: readonly string[]; fragments: readonly SqlFragment[] }
  | { kind: 'join'; fragments: readonly SqlFragment[]; separator: string }
  | { kind: 'parts'; parts: readonly Part[] };

export class SqlFragment {
  readonly #node: Node;

  constructor(node: Node) {
    this.#node = node;
  }

  /** The text and value parts in order (tests and diagnostics; `render` walks the tree itself). */
  get parts(): Part[] {
    const parts: Part[] = [];
    this.visit(
      (text) => parts.push({ text }),
      (value) => parts.push({ value }),
    );
    return parts;
  }

  get isEmpty(): boolean {
    return this.parts.every((part) => 'text' in part && part.text === '');
  }

  /** Calls `onText` and `onValue` for the parts in order. */
  visit(onText: (text: string) => void, onValue: (value: unknown) => void): void {
    const node = this.#node;
    switch (node.kind) {
      case 'text':
        onText(node.text);
        return;
      case 'value':
        onValue(node.value);
        return;
      case 'template':
        for (let index = 0; index < node.strings.length; index++) {
          const text = node.strings[index]!;
          if (text) onText(text);
          node.fragments[index]?.visit(onText, onValue);
        }
        return;
      case 'join':
        for (let index = 0; index < node.fragments.length; index++) {
          if (index > 0) onText(node.separator);
          node.fragments[index]!.visit(onText, onValue);
        }
        return;
      case 'parts':
        for (const part of node.parts) {
          if ('text' in part) onText(part.text);
          else onValue(part.value);
        }
    }
  }
}

export type Sqlable = SqlFragment;

/** sql`select ${ident('a')} from t where x = ${param(1)}`; interpolations must be fragments. */
export function sql(strings: TemplateStringsArray, ...fragments: SqlFragment[]): SqlFragment {
  return new SqlFragment({ kind: 'template', strings, fragments });
}

/** Trusted SQL text written in this code base, never text from a request. */
export function raw(text: string): SqlFragment {
  return new SqlFragment({ kind: 'text', text });
}

export function param(value: unknown): SqlFragment {
  return new SqlFragment({ kind: 'value', value });
}

/** `"schema"."name"`: each part quoted, embedded quotes doubled. */
export function ident(...names: string[]): SqlFragment {
  return raw(names.map(quoteIdentifier).join('.'));
}

export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

export function join(fragments: SqlFragment[], separator: string): SqlFragment {
  return new SqlFragment({ kind: 'join', fragments, separator });
}

export const empty = raw('');

/** A fragment of parts already flattened (`fragment.parts`), e.g. with some values replaced. */
export function fromParts(parts: readonly Part[]): SqlFragment {
  return new SqlFragment({ kind: 'parts', parts });
}

export interface RenderedSql {
  text: string;
  values: unknown[];
}

/** Numbers the values `$1…$n` in order of appearance. */
export function render(fragment: SqlFragment): RenderedSql {
  let text = '';
  const values: unknown[] = [];
  fragment.visit(
    (part) => {
      text += part;
    },
    (value) => {
      values.push(value);
      text += `$${values.length}`;
    },
  );
  return { text, values };
}
