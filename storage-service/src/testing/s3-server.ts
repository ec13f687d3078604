import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StorageBackendSettings } from '../backends/index.ts';

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** Settings for the s3 backend pointing at this server, its bucket already created. */
  settings: StorageBackendSettings;
  close(): Promise<void>;
}

/*
 * Runs in the child: s3rver on a port the kernel picks, the port reported on stdout, and an
 * exit when the parent goes away (its stdin closes), so a crashed test leaves no server behind.
 */
const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true,
  directory: process.env.S3RVER_DIRECTORY,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET }],
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { console.error(error); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/**
 * A local S3 (s3rver, objects in a temporary folder) on a free port, for tests and the
 * benchmark. It runs in a child process, as a real S3 would be elsewhere: its CPU and memory
 * are not the measured process's. s3rver accepts only the credentials S3RVER/S3RVER.
 */
export async function startTestS3Server(options: { bucket?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'launchdb-test';
  const directory = await mkdtemp(join(tmpdir(), 'launchdb-s3rver-'));
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIRECTORY: directory,
      S3RVER_BUCKET: bucket,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await readPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    settings: {
      STORAGE_BACKEND: 's3',
      STORAGE_S3_ENDPOINT: endpoint,
      STORAGE_S3_REGION: 'us-east-1',
      STORAGE_S3_BUCKET: bucket,
      STORAGE_S3_ACCESS_KEY_ID: 'S3RVER',
      STORAGE_S3_SECRET_ACCESS_KEY: 'S3RVER',
      STORAGE_S3_FORCE_PATH_STYLE: true,
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function readPort(child: ChildProcess): Promise<number> {
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (errors.length < 4096) errors += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    const exited = once(child, 'exit').then(() => {
      throw new Error(`s3rver exited before listening: ${errors.trim()}`);
    });
    const firstLine = (async () => {
      for await (const line of lines) {
        const parsed = JSON.parse(line) as { port?: number };
        if (typeof parsed.port === 'number') return parsed.port;
      }
      throw new Error(`s3rver closed its output before listening: ${errors.trim()}`);
    })();
    return await Promise.race([firstLine, exited]);
  } finally {
    clearTimeout(timeout);
    lines.close();
  }
}
