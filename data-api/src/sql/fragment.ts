/**
 * SQL as data: literal text and bound values kept apart until `render` numbers the
 * placeholders. Identifiers enter only through `ident` (quoted), values only through `param`,
 * so no client string is ever spliced into SQL text.
 */
export type Part = { text: string } | { value: unknown };

export class SqlFragment {
  readonly parts: readonly Part[];

  constructor(parts: readonly Part[]) {
    this.parts = parts;
  }

  get isEmpty(): boolean {
    return this.parts.every((part) => 'text' in part && part.text === '');
  }
}

export type Sqlable = SqlFragment;

/** sql`select ${ident('a')} from t where x = ${param(1)}`; interpolations must be fragments. */
export function sql(strings: TemplateStringsArray, ...fragments: SqlFragment[]): SqlFragment {
  const parts: Part[] = [];
  strings.forEach((text, index) => {
    if (text) parts.push({ text });
    const fragment = fragments[index];
    if (fragment) parts.push(...fragment.parts);
  });
  return new SqlFragment(parts);
}

/** Trusted SQL text written in this code base, never text from a request. */
export function raw(text: string): SqlFragment {
  return new SqlFragment([{ text }]);
}

export function param(value: unknown): SqlFragment {
  return new SqlFragment([{ value }]);
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
  const parts: Part[] = [];
  fragments.forEach((fragment, index) => {
    if (index > 0) parts.push({ text: separator });
    parts.push(...fragment.parts);
  });
  return new SqlFragment(parts);
}

export const empty = new SqlFragment([]);

export interface RenderedSql {
  text: string;
  values: unknown[];
}

/** Numbers the values `$1…$n` in order of appearance. */
export function render(fragment: SqlFragment): RenderedSql {
  let text = '';
  const values: unknown[] = [];
  for (const part of fragment.parts) {
    if ('text' in part) text += part.text;
    else {
      values.push(part.value);
      text += `$${values.length}`;
    }
  }
  return { text, values };
}
