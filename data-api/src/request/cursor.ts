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
   * Parsec's `<?>`: when `p` fails without getting past its start — or succeeds without
   * consuming anything, as an optional part does — what it expected there is reported as
   * `label` instead of the list of its alternatives.
   */
  label<T>(label: string, p: () => T): T {
    const start = this.pos;
    const before: Failure = { ...this.failure, expected: [...this.failure.expected] };
    const relabel = () => {
      if (before.pos === start) {
        this.failure.expected = before.expected;
        this.failure.unexpected = before.unexpected ?? this.failure.unexpected;
      } else {
        this.failure.expected = [];
      }
      // Parsec lists each expectation once (showErrorMessages `nub`s them)
      if (!this.failure.expected.includes(label)) this.failure.expected.push(label);
    };
    let value: T;
    try {
      value = p();
    } catch (error) {
      if (error !== BACKTRACK) throw error;
      if (this.failure.pos === start) relabel();
      this.pos = start;
      throw BACKTRACK;
    }
    const expectedHere = this.pos === start && this.failure.pos === start;
    if (expectedHere && (before.pos !== start || this.failure.expected.length !== before.expected.length)) relabel();
    return value;
  }

  /**
   * Parsec's `<?>` over a choice whose alternatives are all under `try`: when `p` fails it
   * failed without consuming input as Parsec counts it, so whatever its furthest failure
   * expected — at any depth — is reported as `label`, keeping that failure's position and
   * unexpected text (`eq1` → column 3, `unexpected "1" expecting operator (eq, gt, ...)`).
   */
  labelTried<T>(label: string, p: () => T): T {
    const start = this.pos;
    const before: Failure = { ...this.failure, expected: [...this.failure.expected] };
    try {
      return p();
    } catch (error) {
      if (error !== BACKTRACK) throw error;
      const f = this.failure;
      if (f.pos > before.pos) {
        f.expected = [label];
      } else if (f.pos === before.pos && f.expected.length > before.expected.length) {
        f.expected = [...before.expected.filter((e) => e !== label), label];
      }
      this.pos = start;
      throw BACKTRACK;
    }
  }

  /**
   * Parsec's `try a <|> b`: `a` (which rewinds and returns undefined when it fails) first,
   * then `b`. What `a` expected is reported only if `b` fails — or succeeds — without getting
   * past its start; once `b` consumes input, Parsec forgets `a`'s failure
   * (`id,clients(name[])` does not list the `!` or `(` an embed would have taken).
   */
  orElse<A extends NonNullable<unknown>, B>(a: () => A | undefined, b: () => B): A | B {
    const start = this.pos;
    const before = copyFailure(this.failure);
    const first = a();
    if (first !== undefined) return first;
    const afterA = copyFailure(this.failure);
    this.failure = before;
    try {
      const value = b();
      if (this.pos === start) this.mergeFailure(afterA);
      return value;
    } catch (error) {
      if (error !== BACKTRACK) throw error;
      if (this.failure.pos <= start) this.mergeFailure(afterA);
      throw error;
    }
  }

  /** Parsec's mergeError, `earlier` being the error of the alternative tried first. */
  private mergeFailure(earlier: Failure): void {
    const f = this.failure;
    if (earlier.pos > f.pos) {
      this.failure = copyFailure(earlier);
    } else if (earlier.pos === f.pos) {
      f.expected = [...earlier.expected, ...f.expected.filter((e) => !earlier.expected.includes(e))];
      f.unexpected = earlier.unexpected ?? f.unexpected;
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

function copyFailure(failure: Failure): Failure {
  return { ...failure, expected: [...failure.expected] };
}

/** Re-raises a failure of a grammar run elsewhere (a sub-cursor) at `offset` in `c`. */
export function failAt(c: Cursor, sub: Cursor, offset: number): never {
  const f = sub.furthestFailure;
  return c.fail(f.expected, offset + Math.max(0, f.pos), f.unexpected);
}

/**
 * Runs `grammar` over the whole of `input` (trailing spaces allowed); any failure becomes
 * PGRST100 with `source` (`failed to parse select parameter (…)`) as the message. With
 * `rest: 'ignored'`, what follows a complete parse is dropped, as PostgREST 12's parsers that
 * do not end in `eof` (select, columns, tree paths, logic trees) drop a stray `)` or `'`.
 */
export function parseWith<T>(input: string, source: string, grammar: (c: Cursor) => T, rest: 'refused' | 'ignored' = 'refused'): T {
  const c = new Cursor(input);
  try {
    const value = grammar(c);
    c.spaces();
    // Parsec stops where its grammar does, unless an alternative failed further on after
    // reading input (`data->>-78xy`): that failure is then the error. A value of which nothing
    // could be read (`select=!`) stays an error here, where Parsec would read it as empty.
    if (!c.atEnd && (rest === 'refused' || c.pos === 0 || c.furthestFailure.pos > c.pos)) c.fail('end of input');
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
