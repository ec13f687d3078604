/**
 * The benchmark's HTTP client for the large object. The bench calls runTransfer() itself, or,
 * with BENCH_CLIENT=child, runs this file in a process of its own:
 *
 *   node --import tsx transfer-client.ts upload   <object URL> <file> <bearer>
 *   node --import tsx transfer-client.ts download <object URL> <file> <bearer>
 *
 * Prints `{"ms": …}` (the transfer alone, not the process start) on stdout. Downloads are
 * fsynced before the clock stops, as the floor's copy is.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export async function runTransfer(mode: 'upload' | 'download', url: string, file: string, bearer: string): Promise<number> {
  const headers = { authorization: `Bearer ${bearer}` };
  const t0 = performance.now();
  if (mode === 'upload') {
    const size = (await stat(file)).size;
    const response = await request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(size), 'x-upsert': 'true' },
      body: createReadStream(file, { highWaterMark: 1024 * 1024 }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`upload: ${response.statusCode} ${text}`);
  } else {
    const response = await request(url, { method: 'GET', headers });
    if (response.statusCode !== 200) throw new Error(`download: ${response.statusCode} ${await response.body.text()}`);
    await pipeline(response.body, createWriteStream(file, { flush: true, highWaterMark: 1024 * 1024 }));
  }
  return performance.now() - t0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, url, file, bearer] = process.argv.slice(2);
  if (!url || !file || !bearer || (mode !== 'upload' && mode !== 'download')) {
    throw new Error('usage: transfer-client.ts upload|download <object URL> <file> <bearer>');
  }
  process.stdout.write(`${JSON.stringify({ ms: await runTransfer(mode, url, file, bearer) })}\n`);
}
