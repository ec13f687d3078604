import type { Readable } from 'node:stream';
import { chunkSignature } from './sigv4.ts';

export class ChunkedBodyError extends Error {
  constructor(
    message: string,
    readonly signatureMismatch = false,
  ) {
    super(message);
    this.name = 'ChunkedBodyError';
  }
}

export interface ChunkSigning {
  key: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

/**
 * The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` …, a last
 * empty chunk, then trailers), as S3 clients send streams of known length. With `signing`, each
 * chunk's signature is checked against the chain started by the request's own, so no byte is
 * taken from a body the key did not sign; a mismatch fails the stream before that chunk is passed on.
 */
export async function* decodeAwsChunked(body: Readable, signing?: ChunkSigning): AsyncGenerator<Buffer> {
  let buffered: Buffer = Buffer.alloc(0);
  let previous = signing?.seedSignature ?? '';
  let finished = false;
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const fill = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done) return false;
    buffered = buffered.length === 0 ? next.value : Buffer.concat([buffered, next.value]);
    return true;
  };
  while (!finished) {
    let lineEnd = buffered.indexOf('\r\n');
    while (lineEnd < 0) {
      if (buffered.length > 4096) throw new ChunkedBodyError('malformed aws-chunked header');
      if (!(await fill())) throw new ChunkedBodyError('aws-chunked body ended early');
      lineEnd = buffered.indexOf('\r\n');
    }
    const header = buffered.subarray(0, lineEnd).toString('latin1');
    buffered = buffered.subarray(lineEnd + 2);
    const match = /^([0-9a-fA-F]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(header);
    if (match === null) throw new ChunkedBodyError('malformed aws-chunked header');
    const size = Number.parseInt(match[1]!, 16);
    while (buffered.length < size + (size > 0 ? 2 : 0)) {
      if (!(await fill())) throw new ChunkedBodyError('aws-chunked body ended early');
    }
    const chunk = Buffer.from(buffered.subarray(0, size));
    if (signing !== undefined) {
      const expected = chunkSignature(signing.key, signing.amzDate, signing.scope, previous, chunk);
      if (match[2] !== expected) throw new ChunkedBodyError('chunk signature does not match', true);
      previous = expected;
    }
    if (size === 0) {
      finished = true;
    } else {
      buffered = buffered.subarray(size + 2);
      yield chunk;
    }
  }
  // trailers (checksums) follow the last chunk; the bytes are what the client sent, in order
  while (await fill()) {
    if (buffered.length > 64 * 1024) throw new ChunkedBodyError('aws-chunked trailer too large');
  }
}
