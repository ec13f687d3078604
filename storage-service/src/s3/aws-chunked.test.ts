import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChunkedBodyError, decodeAwsChunked } from './aws-chunked.ts';
import { chunkSignature, signingKey } from './sigv4.ts';

const key = signingKey('secret', '20260101', 'local', 's3');
const signing = { key, amzDate: '20260101T000000Z', scope: '20260101/local/s3/aws4_request', seedSignature: 'a'.repeat(64) };

/** An aws-chunked body as SigV4 streaming clients write it, each chunk signed in the chain. */
function signedBody(chunks: Buffer[]): Buffer {
  let previous = signing.seedSignature;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const signature = chunkSignature(key, signing.amzDate, signing.scope, previous, chunk);
    previous = signature;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

async function decode(body: Buffer, withSigning = true, pieceSize = 7): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += pieceSize) pieces.push(body.subarray(offset, offset + pieceSize));
  const out: Buffer[] = [];
  for await (const chunk of decodeAwsChunked(Readable.from(pieces), withSigning ? signing : undefined)) out.push(chunk);
  return Buffer.concat(out);
}

describe('decodeAwsChunked', () => {
  it('yields the payload of a signed body, however the bytes arrive', async () => {
    const body = signedBody([Buffer.from('hello '), Buffer.from('world')]);
    expect((await decode(body)).toString()).toBe('hello world');
    expect((await decode(body, true, 1)).toString()).toBe('hello world');
  });

  it('yields the payload of an unsigned body with trailers', async () => {
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
    expect((await decode(body, false)).toString()).toBe('hello world');
  });

  it('refuses a chunk whose bytes or signature were altered, before passing it on', async () => {
    const body = signedBody([Buffer.from('hello '), Buffer.from('world')]);
    const altered = Buffer.from(body.toString('latin1').replace('world', 'WORLD'), 'latin1');
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of decodeAwsChunked(Readable.from([altered]), signing)) out.push(chunk.toString());
      })(),
    ).rejects.toMatchObject({ signatureMismatch: true });
    expect(out).toEqual(['hello ']);
    await expect(decode(Buffer.from('zz\r\n'))).rejects.toBeInstanceOf(ChunkedBodyError);
    await expect(decode(body.subarray(0, 40))).rejects.toBeInstanceOf(ChunkedBodyError);
  });
});
