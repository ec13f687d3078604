import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPgBouncerBinary } from './locate.ts';

describe('findPgBouncerBinary', () => {
  let root: string;
  const folder = (name: string): string => join(root, name);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'locate-pgbouncer-'));
    for (const [name, mode] of [['path', 0o755], ['sbin', 0o755], ['not-executable', 0o644]] as const) {
      await mkdir(folder(name));
      await writeFile(join(folder(name), 'pgbouncer'), '#!/bin/sh\n', { mode });
    }
    await mkdir(folder('empty'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prefers PATH over the sbin folders', () => {
    expect(findPgBouncerBinary(folder('path'), [folder('sbin')])).toBe(join(folder('path'), 'pgbouncer'));
  });

  it('falls back to the sbin folders, skipping files it cannot execute', () => {
    const searchPath = [folder('empty'), folder('not-executable')].join(delimiter);
    expect(findPgBouncerBinary(searchPath, [folder('sbin')])).toBe(join(folder('sbin'), 'pgbouncer'));
  });

  it('returns undefined when there is none', () => {
    expect(findPgBouncerBinary(folder('empty'), [])).toBeUndefined();
  });
});
