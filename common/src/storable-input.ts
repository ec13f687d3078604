/**
 * Input PostgreSQL cannot store, refused once at the edge of every service.
 *
 * A `text`/`jsonb` value cannot hold U+0000 (PostgreSQL answers 22021 or 22P05, which a service
 * that binds the value reports as its own 500), and a UTF-16 surrogate without its pair has no
 * UTF-8 form (node-postgres silently stores U+FFFD in its place). Both arrive decoded: `%00` in a
 * path or query, `\u0000` or `\ud800` in a JSON string. Each service registers the hooks below on
 * the scope of its protocol, with that protocol's error, so the caller gets the protocol's 400
 * and no handler, query or log line ever sees such text.
 */

export type UnstorableProblem = 'nul' | 'lone-surrogate';

export interface UnstorableInput {
  /** `field`: a value a service decoded itself (a multipart field, base64 metadata in a header). */
  where: 'path' | 'query' | 'header' | 'body' | 'field';
  /** The path or query parameter, the header, or the body field (`data.tags[2]`, `""` for the body itself). */
  name: string;
  /** The decoded text that holds it: a value, or an object's key. */
  value: string;
  problem: UnstorableProblem;
  /** A sentence for the caller: what was refused, where, and why. */
  message: string;
}

const SUSPICIOUS = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What makes a text unstorable in PostgreSQL, or undefined for any text it can store. */
export function unstorableProblemOf(text: string): UnstorableProblem | undefined {
  if (!SUSPICIOUS.test(text)) return undefined;
  if (text.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'lone-surrogate' : undefined;
}

export interface UnstorableText {
  /** `a.b[2]`; `""` when the value itself is the text. */
  path: string;
  text: string;
  problem: UnstorableProblem;
}

/**
 * The first string (value or object key) anywhere in a parsed JSON value, form or query object
 * that PostgreSQL cannot store. Walked without recursion: a body of nested arrays as deep as
 * JSON.parse allows must not overflow the stack.
 */
export function findUnstorableText(value: unknown): UnstorableText | undefined {
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = unstorableProblemOf(current);
      if (problem !== undefined) return { path, text: current, problem };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) pending.push({ value: current[i], path: `${path}[${i}]` });
    } else if (typeof current === 'object' && current !== null && !ArrayBuffer.isView(current)) {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i]!;
        const keyPath = path === '' ? key : `${path}.${key}`;
        const problem = unstorableProblemOf(key);
        if (problem !== undefined) return { path: keyPath, text: key, problem };
        pending.push({ value: (current as Record<string, unknown>)[key], path: keyPath });
      }
    }
  }
  return undefined;
}

const WHERE_WORDS: Record<UnstorableInput['where'], string> = { path: 'path parameter', query: 'query parameter', header: 'header', body: 'body field', field: 'field' };

function describe(where: UnstorableInput['where'], found: UnstorableText, name = found.path): UnstorableInput {
  const what = where === 'body' && name === '' ? 'the request body' : `${WHERE_WORDS[where]} ${JSON.stringify(name)}`;
  const why = found.problem === 'nul' ? 'a NUL character (\\u0000), which cannot be stored' : 'an unpaired UTF-16 surrogate, which is not valid Unicode';
  return { where, name, value: found.text, problem: found.problem, message: `${what} contains ${why}` };
}

/** The first unstorable text of a request's URL, headers or parsed body, in the terms of `UnstorableInput`. */
export function unstorableInUrl(request: { url: string; params: unknown; query: unknown }): UnstorableInput | undefined {
  // only percent-decoding can put such characters into a URL: Node's parser refuses a raw NUL,
  // and a URL's non-ASCII bytes are read as Latin-1, which has no surrogates
  const url = request.url;
  if (!url.includes('%') && !url.includes('\u0000')) return undefined;
  const inPath = findUnstorableText(request.params);
  if (inPath !== undefined) return describe('path', inPath);
  const inQuery = findUnstorableText(request.query);
  if (inQuery !== undefined) return describe('query', inQuery, inQuery.path.replace(/\[\d+\]$/, ''));
  return undefined;
}

export function unstorableInHeaders(headers: Record<string, string | string[] | undefined>): UnstorableInput | undefined {
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const text of Array.isArray(value) ? value : [value]) {
      // header values are Latin-1: only NUL can be unstorable (Node's own parser refuses it; other ways in may not)
      if (text.includes('\u0000')) return describe('header', { path: name, text, problem: 'nul' });
    }
  }
  return undefined;
}

export function unstorableInBody(body: unknown): UnstorableInput | undefined {
  // bytes streamed to a backend (undefined body) or kept as a Buffer are a file's content, not text
  if (body === undefined || body === null || Buffer.isBuffer(body)) return undefined;
  const found = findUnstorableText(body);
  return found === undefined ? undefined : describe('body', found);
}

/**
 * For what a service decodes past the edge (multipart fields, base64 metadata in a header, a
 * resumable upload's metadata): the first of the named values that PostgreSQL cannot store.
 */
export function unstorableInFields(fields: Record<string, unknown>): UnstorableInput | undefined {
  const found = findUnstorableText(fields);
  return found === undefined ? undefined : describe('field', found);
}

interface GuardedRequest {
  url: string;
  params: unknown;
  query: unknown;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

type HookDone = (error?: Error) => void;

/** The part of a Fastify instance the guard needs: typed structurally, so that common needs no Fastify. */
export interface HookedScope {
  addHook(name: 'onRequest' | 'preValidation', hook: (request: GuardedRequest, reply: unknown, done: HookDone) => void): unknown;
}

/**
 * Adds the guard to one protocol's Fastify scope: the URL and headers are checked before any
 * other hook of the scope that is registered after it (so before project lookups and token
 * checks), a parsed body before validation and the handler. The first unstorable text found is
 * thrown as `toProtocolError(input)`, a 400 of the protocol that the scope's error handler
 * renders in its own shape and does not log as a failure. Register it first in the scope.
 */
export function rejectUnstorableInput(scope: HookedScope, toProtocolError: (input: UnstorableInput) => Error): void {
  // callback-style hooks: an async hook costs a promise and a tick on every request
  scope.addHook('onRequest', (request, _reply, done) => {
    const found = unstorableInUrl(request) ?? unstorableInHeaders(request.headers);
    if (found === undefined) done();
    else done(toProtocolError(found));
  });
  scope.addHook('preValidation', (request, _reply, done) => {
    const found = unstorableInBody(request.body);
    if (found === undefined) done();
    else done(toProtocolError(found));
  });
}
