import { Errors, type PgrstError } from '../errors.ts';

/**
 * The machinery under the query-string grammars: a cursor over one parameter's text with
 * ordered choice and backtracking, and errors reported the way PostgREST's Parsec parsers
 * report them — at the furthest position any alternative reached, as
 * `"failed to parse select parameter (…)" (line 1, column 6)` with details
 * `unexpected "x" expecting a, b or c`.
 *
 * A failed alternative throws the private `BACKTRACK` marker; `attempt` catches it and
 * rewinds. Only `parseWith` turns a failure into a `PgrstError`, so nothing else escapes.
 */

const BACKTRACK = Object.freeze({ backtrack: true });

/** Embeds and logic trees deeper than this are refused instead of exhausting the stack. */
export const MAX_NESTING = 64;

interface Failure {
  pos: number;
  unexpected: string | undefined;
  expected: string[];
}

export class Cursor {
  pos = 0;
  private depth = 0;
  private failure: Failure = { pos: -1, unexpected: undefined, expected: [] };

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  /** The whole code point at the cursor (a surrogate pair counts as one character). */
  peekCodePoint(): string | undefined {
    const cp = this.text.codePointAt(this.pos);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  lookingAt(literal: string): boolean {
    return this.text.startsWith(literal, this.pos);
  }

  /** Skips spaces and tabs (Parsec's `ws`). */
  spaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Notes what would have been accepted at `at`, without failing (a loop or option that stopped there). */
  expect(expected: string | readonly string[], at = this.pos, unexpected?: string): void {
    const f = this.failure;
    if (at > f.pos) {
      f.pos = at;
      f.unexpected = unexpected ?? describeAt(this.text, at);
      f.expected = [];
    } else if (at < f.pos) {
      return;
    } else if (f.unexpected === undefined) {
      f.unexpected = unexpected ?? describeAt(this.text, at);
    }
    for (const e of typeof expected === 'string' ? [expected] : expected) {
      if (e !== '' && !f.expected.includes(e)) f.expected.push(e);
    }
  }

  /** Abandons the current alternative, noting what was expected at `at`. */
  fail(expected: string | readonly string[], at = this.pos, unexpected?: string): never {
    this.expect(expected, at, unexpected);
    throw BACKTRACK;
  }

  char(ch: string): void {
    if (this.text[this.pos] === ch) {
      this.pos++;
      return;
    }
    this.fail(show(ch));
  }

  /**
   * Parsec's `string`: on a mismatch the error is placed where the literal starts and names
   * the first character that differs.
   */
  literal(word: string): void {
    if (!this.tryLiteral(word)) throw BACKTRACK;
  }

  /** `literal` without failing: consumes `word` and says true, or notes the mismatch and says false. */
  tryLiteral(word: string): boolean {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    let i = 0;
    while (i < word.length && this.text[this.pos + i] === word[i]) i++;
    const got = this.text[this.pos + i];
    this.expect(show(word), this.pos, got === undefined ? 'end of input' : show(got));
    return false;
  }

  /** The first of `words` found at the cursor (consumed), or a failure naming them all. */
  oneOf<const W extends string>(words: readonly W[]): W {
    for (const word of words) {
      if (this.tryLiteral(word)) return word;
    }
    throw BACKTRACK;
  }

  /**
   * Runs `p` (which never yields undefined on success); if it fails, rewinds to where it
   * started and returns undefined (Parsec's `try`, in an ordered choice).
   */
  attempt<T extends NonNullable<unknown> | null>(p: () => T): T | undefined {
    const start = this.pos;
    try {
      return p();
    } catch (error) {
      if (error !== BACKTRACK) throw error;
      this.pos = start;
      return undefined;
    }
  }

  /** Runs `p`; true if it succeeded, else rewinds and returns false. */
  succeeds(p: () => void): boolean {
    return this.attempt(() => {
      p();
      return true;
    }) ?? false;
  }

  /**
   * Parsec's `<?>`: when `p` fails without getting past its start, what it expected is
   * reported as `label` instead of the list of its alternatives.
   */
  label<T>(label: string, p: () => T): T {
    const start = this.pos;
    const before: Failure = { ...this.failure, expected: [...this.failure.expected] };
    try {
      return p();
    } catch (error) {
      if (error !== BACKTRACK) throw error;
      if (this.failure.pos === start) {
        if (before.pos === start) {
          this.failure.expected = before.expected;
          this.failure.unexpected = before.unexpected ?? this.failure.unexpected;
        } else {
          this.failure.expected = [];
        }
        this.failure.expected.push(label);
      }
      this.pos = start;
      throw BACKTRACK;
    }
  }

  /** One level deeper in an embed or a logic tree. */
  nested<T>(p: () => T): T {
    if (this.depth >= MAX_NESTING) this.fail(`at most ${MAX_NESTING} levels of nesting`);
    this.depth++;
    try {
      return p();
    } finally {
      this.depth--;
    }
  }

  /** The failure recorded so far, for grammars that run a sub-cursor over part of the text. */
  get furthestFailure(): Readonly<Failure> {
    return this.failure;
  }

  toError(source: string): PgrstError {
    const f = this.failure;
    const at = Math.max(0, f.pos);
    const { line, column } = lineAndColumn(this.text, at);
    const unexpected = f.unexpected ?? describeAt(this.text, at);
    const expected = f.expected.length ? ` expecting ${commasOr(f.expected)}` : '';
    return Errors.parse(`"${source}" (line ${line}, column ${column})`, `unexpected ${unexpected}${expected}`);
  }
}

/** Re-raises a failure of a grammar run elsewhere (a sub-cursor) at `offset` in `c`. */
export function failAt(c: Cursor, sub: Cursor, offset: number): never {
  const f = sub.furthestFailure;
  return c.fail(f.expected, offset + Math.max(0, f.pos), f.unexpected);
}

/**
 * Runs `grammar` over the whole of `input` (trailing spaces allowed); any failure becomes
 * PGRST100 with `source` (`failed to parse select parameter (…)`) as the message.
 */
export function parseWith<T>(input: string, source: string, grammar: (c: Cursor) => T): T {
  const c = new Cursor(input);
  try {
    const value = grammar(c);
    c.spaces();
    if (!c.atEnd) c.fail('end of input');
    return value;
  } catch (error) {
    if (error !== BACKTRACK) throw error;
    throw c.toError(source);
  }
}

/** Haskell's `show` of a string, close enough for error messages. */
export function show(text: string): string {
  return JSON.stringify(text);
}

function describeAt(text: string, at: number): string {
  const cp = text.codePointAt(at);
  return cp === undefined ? 'end of input' : show(String.fromCodePoint(cp));
}

function commasOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Parsec positions: lines from 1, columns from 1 in code points, tabs to the next multiple of 8 (+1). */
function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (const ch of text.slice(0, at)) {
    if (ch === '\n') {
      line++;
      column = 1;
    } else if (ch === '\t') {
      column = column + 8 - ((column - 1) % 8);
    } else {
      column++;
    }
  }
  return { line, column };
}
