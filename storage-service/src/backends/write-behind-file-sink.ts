import { Writable } from 'node:stream';
import type { FileHandle } from 'node:fs/promises';

/**
 * Writes a stream into an open file, asking the disk to write back what it has every
 * `flushEveryBytes` without waiting for it, so that the caller's final fsync has little left to
 * do: writing back overlaps receiving instead of following it (for a large file on a VM disk,
 * the final fsync of a plain copy costs about as much as the copy itself). `finish` waits for
 * the write-back in flight; the fsync and the close are the caller's.
 */
export class WriteBehindFileSink extends Writable {
  private unflushed = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly flushEveryBytes = 8 * 1024 * 1024,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((entry) => entry.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    Promise.resolve(this.flushing).then(() => callback(), callback);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending);
      this.unflushed += bytesWritten;
      pending = remainder(pending, bytesWritten);
    }
    if (this.unflushed >= this.flushEveryBytes && !this.flushing) {
      this.unflushed = 0;
      this.flushing = this.handle.datasync().finally(() => {
        this.flushing = undefined;
      });
      // A failed write-back shows again in the caller's fsync; no unhandled rejection meanwhile.
      this.flushing.catch(() => {});
    }
  }
}

/** What is left of `buffers` after `written` bytes went out (writev may write less than asked). */
function remainder(buffers: Buffer[], written: number): Buffer[] {
  const left: Buffer[] = [];
  let skip = written;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    left.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return left;
}
