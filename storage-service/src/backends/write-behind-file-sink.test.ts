import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteBehindFileSink } from './write-behind-file-sink.ts';

describe('WriteBehindFileSink', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'launchdb-write-behind-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes every byte in order, batched or not, with write-back started along the way', async () => {
    const chunks = Array.from({ length: 300 }, (_, index) => randomBytes(1 + ((index * 7919) % 70_000)));
    const handle = await open(join(folder, 'batched.bin'), 'wx');
    const datasync = handle.datasync.bind(handle);
    let writeBacks = 0;
    handle.datasync = () => {
      writeBacks += 1;
      return datasync();
    };
    // A small flush interval, so a few write-backs happen while the chunks still arrive.
    await pipeline(Readable.from(chunks), new WriteBehindFileSink(handle, 1024 * 1024));
    await handle.sync();
    await handle.close();
    expect((await readFile(join(folder, 'batched.bin'))).equals(Buffer.concat(chunks))).toBe(true);
    expect(writeBacks).toBeGreaterThan(0);
  });

  it('fails the stream when the file cannot be written', async () => {
    const handle = await open(join(folder, 'read-only.bin'), 'w+');
    await handle.close();
    const readOnly = await open(join(folder, 'read-only.bin'), 'r');
    await expect(pipeline(Readable.from([Buffer.from('x')]), new WriteBehindFileSink(readOnly))).rejects.toMatchObject({ code: 'EBADF' });
    await readOnly.close();
  });
});
