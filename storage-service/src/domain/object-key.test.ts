import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorageBackend, fsObjectPaths } from '../backends/fs-storage-backend.ts';
import { MAX_OBJECT_KEY_BYTES, validateBucketId, validateObjectKey } from './object-key.ts';

describe('validateObjectKey', () => {
  it.each([
    'avatar.png',
    'folder/sub folder/file (1).pdf',
    'receipts/2024-05-01 Müller & Söhne, invoice?.pdf',
    '望舌诊病.pdf',
    'ÖÄÜ.jpg',
    "a/b/c/!-_.*'()&$@=;:+,?",
    '.hidden',
    '...',
    'a..b/c',
    `${'x'.repeat(200)}/`.repeat(5) + 'x'.repeat(MAX_OBJECT_KEY_BYTES - 1005),
  ])('accepts %j', (name) => {
    expect(validateObjectKey(name)).toEqual({ ok: true, key: name });
  });

  it.each([
    ['', 'empty'],
    ['..', '. or ..'],
    ['../other-bucket/secret.txt', '. or ..'],
    ['folder/../../escape', '. or ..'],
    ['folder/..', '. or ..'],
    ['./file', '. or ..'],
    ['/etc/passwd', 'start with /'],
    ['/abs', 'start with /'],
    ['folder//file', 'empty folder name'],
    ['folder/', 'empty folder name'],
    ['file\u0000.txt', 'NUL'],
    ['line\nbreak', 'control character'],
    ['tab\there', 'control character'],
    ['bell\u0007', 'control character'],
    ['del\u007f', 'control character'],
    ['c1\u0085', 'control character'],
    ['back\\slash', 'not allowed'],
    ['per%2e%2e', 'not allowed'],
    ['hash#version', 'not allowed'],
    ['tilde~', 'not allowed'],
    ['quote"', 'not allowed'],
    ['right-to-left\u202eexe.txt', 'not allowed'],
    ['x'.repeat(MAX_OBJECT_KEY_BYTES + 1), 'longer than 1024 bytes'],
    ['é'.repeat(513), 'longer than 1024 bytes'],
    ['x'.repeat(256), 'longer than 255 bytes'],
  ])('rejects %j (%s)', (name, reason) => {
    const result = validateObjectKey(name);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('validateBucketId', () => {
  it.each(['avatars', 'my-bucket_2', 'Documents', 'a'])('accepts %j', (id) => {
    expect(validateBucketId(id)).toEqual({ ok: true, key: id });
  });

  it.each(['', '.', '..', 'a/b', 'x'.repeat(64), 'nul\u0000', 'new\nline', 'back\\slash', 'hash#'])('rejects %j', (id) => {
    expect(validateBucketId(id).ok).toBe(false);
  });
});

/** Characters that mean something to a path, an URL decoder or a terminal, mixed with ordinary ones. */
const trickyCharacter = fc.constantFrom(
  'a', 'b', 'Z', '0', '.', '..', '/', '//', '\\', '\u0000', '\n', '\r', '\t', '%', '%2e', '%2f', '#', '~', ' ', '?', '*',
  ':', 'é', '望', '\u202e', '\u200b', '\uff0e', '\u2215', '\u0085', 'C:', '\ud83d\ude00',
);
/** Mostly keys that pass, dots and all, so the write test has many to write. */
const plausibleKey = fc
  .array(fc.array(fc.constantFrom('a', 'Z', '0', '.', '-', ' ', '(', 'é', '望', '!', '=', '..'), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
  .map((segments) => segments.map((segment) => segment.join('')).join('/'));
const candidateKey = fc.oneof(
  plausibleKey,
  fc.array(trickyCharacter, { maxLength: 40 }).map((parts) => parts.join('')),
  fc.array(fc.oneof(fc.constantFrom('..', '.', '', '~'), fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: 8 }).map((segments) => segments.join('/')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

describe('no accepted key leaves its bucket (fs backend)', () => {
  let root: string;
  let backend: FsStorageBackend;
  const bucketFolder = () => join(root, 'tprop1', 'docs');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'launchdb-object-key-'));
    backend = new FsStorageBackend({ root, sweepOnStart: false });
  });
  afterAll(async () => {
    await backend?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('maps every accepted key to a folder strictly inside the bucket folder', () => {
    fc.assert(
      fc.property(candidateKey, (name) => {
        const check = validateObjectKey(name);
        if (!check.ok) return;
        const paths = fsObjectPaths(root, { projectId: 'tprop1', bucketId: 'docs', key: check.key, version: 'v1' });
        for (const path of [paths.folder, paths.data, paths.meta]) {
          const inside = relative(bucketFolder(), resolve(path));
          expect(inside !== '' && inside.split(sep)[0] !== '..' && !isAbsolute(inside)).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('maps different accepted keys to different folders', () => {
    fc.assert(
      fc.property(candidateKey, candidateKey, (first, second) => {
        const a = validateObjectKey(first);
        const b = validateObjectKey(second);
        if (!a.ok || !b.ok || a.key === b.key) return;
        const location = { projectId: 'tprop1', bucketId: 'docs', version: 'v1' };
        expect(fsObjectPaths(root, { ...location, key: a.key }).data).not.toBe(fsObjectPaths(root, { ...location, key: b.key }).data);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes every accepted key below the bucket folder and reads it back', async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: plausibleKey, weight: 3 }, { arbitrary: candidateKey, weight: 1 }), async (name) => {
        const check = validateObjectKey(name);
        if (!check.ok) return;
        const location = { projectId: 'tprop1', bucketId: 'docs', key: check.key, version: `v${written++}` };
        await backend.write(location, Readable.from([Buffer.from(name)]), { contentType: 'text/plain', cacheControl: 'no-cache' });
        expect((await buffer((await backend.read(location)).body)).toString()).toBe(name);
      }),
      { numRuns: 150 },
    );
    expect(written).toBeGreaterThan(50);
    const everything = await readdir(root, { recursive: true });
    for (const entry of everything) {
      const path = join(root, entry);
      expect(path === join(root, 'tprop1') || path === bucketFolder() || path.startsWith(bucketFolder() + sep)).toBe(true);
    }
  });
});
