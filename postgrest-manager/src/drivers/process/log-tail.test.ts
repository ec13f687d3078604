import { appendFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogFileTail } from './log-tail.ts';

describe('LogFileTail', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'log-tail-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('emits complete lines as they are appended, redacted, keeping the last ones', async () => {
    const file = join(folder, 'a.log');
    await writeFile(file, '');
    const seen: string[] = [];
    const tail = new LogFileTail(file, { onLine: (line) => seen.push(line), keep: 2, redact: (line) => line.replaceAll('hunter2', '[redacted]'), intervalMs: 10_000 });
    await tail.start(false);
    await appendFile(file, 'one\r\ntwo with hunter2\nthr');
    await tail.poll();
    expect(seen).toEqual(['one', 'two with [redacted]']);
    await appendFile(file, 'ee\n\nfour');
    await tail.poll();
    expect(seen).toEqual(['one', 'two with [redacted]', 'three']);
    // the unterminated last line is read when the tail stops
    await tail.stop();
    expect(seen.at(-1)).toBe('four');
    expect(tail.lines()).toEqual(['three', 'four']);
  });

  it('skips what was written before an adoption, and empties a file past its size limit', async () => {
    const file = join(folder, 'b.log');
    await writeFile(file, 'written for the earlier manager\n');
    const seen: string[] = [];
    const tail = new LogFileTail(file, { onLine: (line) => seen.push(line), maxBytes: 64, intervalMs: 10_000 });
    await tail.start(true);
    await appendFile(file, `${'x'.repeat(40)}\n`);
    await tail.poll();
    expect(seen).toEqual(['x'.repeat(40)]);
    expect((await stat(file)).size).toBe(0);
    await appendFile(file, 'after the cut\n');
    await tail.poll();
    expect(seen.at(-1)).toBe('after the cut');
    tail.detach();
    await appendFile(file, 'not read\n');
    await tail.poll();
    expect(seen.at(-1)).toBe('after the cut');
  });

  it('does not fail on a missing file', async () => {
    const tail = new LogFileTail(join(folder, 'missing.log'), { onLine: () => undefined });
    await tail.start(true);
    await tail.poll();
    await tail.stop();
    expect(tail.lines()).toEqual([]);
  });
});
