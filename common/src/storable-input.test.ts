import { describe, expect, it } from 'vitest';
import { findUnstorableText, unstorableInBody, unstorableInHeaders, unstorableInUrl, unstorableProblemOf } from './storable-input.ts';

describe('text PostgreSQL cannot store', () => {
  it('is text with NUL or an unpaired UTF-16 surrogate; paired surrogates (emoji) and every other character are fine', () => {
    expect(unstorableProblemOf('a\u0000b')).toBe('nul');
    expect(unstorableProblemOf('\ud800')).toBe('lone-surrogate');
    expect(unstorableProblemOf('x\udc00y')).toBe('lone-surrogate');
    expect(unstorableProblemOf('\udc00\ud800')).toBe('lone-surrogate');
    expect(unstorableProblemOf('emoji 😀 and 𝒜')).toBeUndefined();
    expect(unstorableProblemOf('tab\tnewline\n\u0001 é \uffff')).toBeUndefined();
  });

  it('is found in nested values and in object keys, with the path to it', () => {
    expect(findUnstorableText({ email: 'a@b.c', data: { tags: ['ok', 'bad\u0000'] } })).toEqual({ path: 'data.tags[1]', text: 'bad\u0000', problem: 'nul' });
    expect(findUnstorableText({ data: { 'key\ud800': 1 } })).toEqual({ path: 'data.key\ud800', text: 'key\ud800', problem: 'lone-surrogate' });
    expect(findUnstorableText(['fine', 1, true, null, { a: 'fine' }])).toBeUndefined();
    expect(findUnstorableText('\u0000')).toEqual({ path: '', text: '\u0000', problem: 'nul' });
  });

  it('is found in a value nested deeper than the stack would allow to recurse', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 50_000; i += 1) deep = [deep];
    expect(findUnstorableText(deep)?.problem).toBe('nul');
  });

  it('is reported with where it was and a sentence for the caller', () => {
    expect(unstorableInUrl({ url: '/object/b/a%00', params: { bucketId: 'b', '*': 'a\u0000' }, query: {} })).toEqual({
      where: 'path',
      name: '*',
      value: 'a\u0000',
      problem: 'nul',
      message: 'path parameter "*" contains a NUL character (\\u0000), which cannot be stored',
    });
    expect(unstorableInUrl({ url: '/x?q=1&q=%00', params: {}, query: { q: ['1', '\u0000'] } })).toMatchObject({ where: 'query', name: 'q' });
    // without a percent sign nothing decoded can be unstorable: the parsed parts are not walked
    expect(unstorableInUrl({ url: '/x?q=1', params: {}, query: { q: '\u0000' } })).toBeUndefined();
    expect(unstorableInHeaders({ 'x-upsert': 'true', 'cache-control': ['a', 'b\u0000'] })).toMatchObject({ where: 'header', name: 'cache-control' });
    expect(unstorableInBody({ password: 'x\ud83d' })).toMatchObject({
      where: 'body',
      name: 'password',
      message: 'body field "password" contains an unpaired UTF-16 surrogate, which is not valid Unicode',
    });
    expect(unstorableInBody('\u0000')?.message).toBe('the request body contains a NUL character (\\u0000), which cannot be stored');
    // bytes (a file's content) are not text
    expect(unstorableInBody(Buffer.from([0, 0xed, 0xa0, 0x80]))).toBeUndefined();
    expect(unstorableInBody(undefined)).toBeUndefined();
  });
});
