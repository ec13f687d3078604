import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

const SIZE = 1024 * 1024 * 1024;
const CHUNK = 64 * 1024;
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

/** 1 GiB of bytes made as they are sent (64 KiB at a time, as a socket delivers them: few bytes wait for the garbage collector; its first bytes numbering it). */
function generatedBody(hash: ReturnType<typeof createHash>): Readable {
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      chunk.writeUInt32BE(sent / CHUNK, 0);
      hash.update(chunk);
      sent += CHUNK;
      this.push(Buffer.from(chunk));
    },
  });
}

describe('a 1 GiB object (fs backend)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs', { STORAGE_FILE_SIZE_LIMIT: 2 * SIZE });
    project = await bed.projects.createProject();
    await bed.client(project).createBucket('big');
  });
  afterAll(() => bed?.close());

  it('streams up and down through HTTP with RSS growing by less than 64 MiB', { timeout: 60_000 }, async () => {
    const url = `${bed.storageUrl(project.id)}/object/big/walkthrough.bin`;
    const auth = { authorization: `Bearer ${project.serviceKey}` };
    globalThis.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
    try {
      const sentHash = createHash('md5');
      const uploaded = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(SIZE) } }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (text: string) => (body += text)).on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
        pipeline(generatedBody(sentHash), request).catch(reject);
      });
      expect(uploaded.status, uploaded.body).toBe(200);

      const receivedHash = createHash('md5');
      let received = 0;
      const response = await new Promise<IncomingMessage>((resolve, reject) => httpRequest(url, { headers: auth }, resolve).on('error', reject).end());
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-length']).toBe(String(SIZE));
      for await (const chunk of response as AsyncIterable<Buffer>) {
        receivedHash.update(chunk);
        received += chunk.length;
      }
      expect(received).toBe(SIZE);
      expect(receivedHash.digest('hex')).toBe(sentHash.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    console.info(`1 GiB up and down: RSS grew by ${((peak - baseline) / 1048576).toFixed(1)} MiB`);
    expect(peak - baseline).toBeLessThan(MAX_RSS_GROWTH);
  });
});
