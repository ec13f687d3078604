import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged, counting them and hashing them (SHA-256) on the way. */
export class Meter extends Transform {
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');
  #digest: string | undefined;
  readonly #onProgress: ((bytes: number) => void) | undefined;

  constructor(onProgress?: (bytes: number) => void) {
    super();
    this.#onProgress = onProgress;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    this.#onProgress?.(this.bytes);
    callback(null, chunk);
  }

  /** Hex SHA-256 of everything that went through; only once the stream has ended. */
  get sha256(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}
