/**
 * `npm run bench:storage`: the storage service over HTTP (buildStorageApp, a project provisioned
 * by the real ProjectProvisioner in a throwaway PostgreSQL 15), against a plain file copy of the
 * same bytes on the same disk, measured in the same run (the floor). A benchmark, not a test: it
 * prints PASS/FAIL against the target and exits 0 once it has run.
 *
 *   1. one 100 MB object: upload (file → HTTP → service → disk, fsynced) and download
 *      (service → HTTP → file, fsynced), against the floor: a file copy that is also fsynced
 *      (target: ≥ 70 % of the floor's throughput)
 *   2. 1,000 objects of 10 KB: uploads/s and downloads/s (BENCH_SMALL_CONCURRENCY at a time)
 *
 *   --fs-only      skip the s3 backend (s3rver in a child process: informative only)
 *   --no-write     do not rewrite storage-service/BENCH.md
 *   BENCH_ROUNDS (default 5; medians are reported), BENCH_LARGE_MB (100), BENCH_SMALL_COUNT (1000),
 *   BENCH_SMALL_KB (10), BENCH_SMALL_CONCURRENCY (8), BENCH_CLIENT (in-process: the default, or child)
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import {
  createLogger,
  createPool,
  generateMasterKey,
  parseMasterKey,
  ProjectDirectory,
  readLiveApiKeys,
  SecretBox,
  withClient,
  withDatabase,
  type DataApiControl,
  type ProjectPooler,
} from '@launchdb/common';
import { BENCH_SMOKE, benchSetting, smoke } from '@launchdb/testkit/bench-smoke';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { ProjectProvisioner } from '../../platform-api/src/domain/projects/project-provisioner.ts';
import { preparePlatformDatabase } from '../../platform-api/src/setup/platform-database.ts';
import { buildStorageApp } from '../src/app.ts';
import { createStorageBackend, FsStorageBackend, type StorageBackend } from '../src/backends/index.ts';
import { defaultStorageServiceSettings } from '../src/settings.ts';
import { startTestS3Server, type TestS3Server } from '../src/testing/s3-server.ts';
import { runTransfer } from './transfer-client.ts';

const TARGET_LARGE_RATIO = 0.7;
const args = new Set(process.argv.slice(2));
// BENCH_SMOKE=1: one round of a 2 MB object and 20 small ones, both backends (figures meaningless)
const rounds = benchSetting('BENCH_ROUNDS', smoke(5, 1));
const largeBytes = benchSetting('BENCH_LARGE_MB', smoke(100, 2)) * 1024 * 1024;
const smallCount = benchSetting('BENCH_SMALL_COUNT', smoke(1000, 20));
const smallBytes = benchSetting('BENCH_SMALL_KB', 10) * 1024;
const smallConcurrency = benchSetting('BENCH_SMALL_CONCURRENCY', 8);
const benchMd = fileURLToPath(new URL('../BENCH.md', import.meta.url));
const transferClient = fileURLToPath(new URL('./transfer-client.ts', import.meta.url));
const inProcessClient = process.env.BENCH_CLIENT !== 'child';
const PROJECT_ID = 'benchstorage';

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
const agent = new Agent({ connections: 32, pipelining: 1 });

interface LargeRound {
  /** The floor, measured before the upload and again after the download: disk write-back makes it noisy. */
  floorMs: [number, number];
  floorCopyFileMs: number;
  /** The same copy without fsync: what the page cache alone allows (context, not the floor). */
  floorUnsyncedMs: number;
  uploadMs: number;
  downloadMs: number;
  /** The same transfers through a bare Fastify route that streams the body to a file (no storage code): the fs variant only. */
  plain?: { uploadMs: number; downloadMs: number };
}

type Variant = 'fs' | 'fs-sha256' | 'fs-md5' | 's3';
const VARIANT_LABELS: Record<Variant, string> = {
  fs: 'fs (version ETag, the default)',
  'fs-sha256': 'fs (sha256 ETag)',
  'fs-md5': 'fs (md5 ETag)',
  s3: 's3 via s3rver',
};

interface BackendFigures {
  kind: Variant;
  large: LargeRound[];
  small: { uploadsPerSecond: number; downloadsPerSecond: number; floorFilesPerSecond: number };
}

const loadAtStart = loadavg()[0]!;

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'launchdb-bench-storage-'));
  log(`working folder ${work} (the floor, the fs backend and the downloads all live on this disk)`);
  const postgres = await startThrowawayPostgres('launchdb-bench-storage-pg');
  let s3: TestS3Server | undefined;
  try {
    const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
    await withClient(postgres.url, (admin) => admin.query('create database platform'));
    const platformUrl = withDatabase(postgres.url, 'platform');
    await withClient(platformUrl, (admin) => preparePlatformDatabase(admin, secrets));
    const platformDb = createPool({ connectionString: platformUrl, applicationName: 'storage-bench', max: 4 });
    const server = new URL(postgres.url);
    const address = { host: server.hostname, port: Number(server.port) };
    const pooler: ProjectPooler = { address, addProject: async () => {}, removeProject: async () => {} };
    const dataApis: DataApiControl = { spawn: async () => {}, stop: async () => {}, reload: async () => {} };
    const logger = createLogger({ level: 'silent', name: 'storage-bench' });
    const provisioner = new ProjectProvisioner({ db: platformDb, adminUrl: platformUrl, secrets, pooler, dataApis, logger });
    log('provisioning a project (base template with the storage schema)');
    await provisioner.create({ id: PROJECT_ID, name: 'storage bench' });
    const serviceKey = (await readLiveApiKeys(platformDb, secrets, PROJECT_ID)).service_role!;
    const directory = new ProjectDirectory({ platformDb, secrets, pooler: address, applicationName: 'storage-bench', poolMax: smallConcurrency + 2 });

    const loopbackMs = median([await loopbackTransfer(), await loopbackTransfer(), await loopbackTransfer()]);
    log(`context: ${mb(largeBytes)} over a bare TCP socket on 127.0.0.1 (no HTTP, no disk): ${loopbackMs.toFixed(0)} ms`);
    const hashMs = { sha256: hashCost('sha256'), md5: hashCost('md5') };
    log(`context: hashing ${mb(largeBytes)} in memory: sha256 ${hashMs.sha256.toFixed(0)} ms, md5 ${hashMs.md5.toFixed(0)} ms`);
    const source = join(work, 'source.bin');
    await writeGenerated(source, largeBytes);
    const smallBodies = Array.from({ length: 16 }, () => randomBytes(smallBytes));

    const figures: BackendFigures[] = [];
    const plainServer = await startPlainFileServer(join(work, 'plain'));
    const variants: Variant[] = args.has('--fs-only') ? ['fs', 'fs-sha256', 'fs-md5'] : ['fs', 'fs-sha256', 'fs-md5', 's3'];
    for (const kind of variants) {
      let backend: StorageBackend;
      if (kind === 's3') {
        s3 = await startTestS3Server({ bucket: 'launchdb-bench' });
        backend = createStorageBackend(s3.settings);
      } else {
        backend = new FsStorageBackend({ root: join(work, `storage-${kind}`), etag: kind === 'fs-md5' ? 'md5' : kind === 'fs-sha256' ? 'sha256' : 'version' });
      }
      const app = await buildStorageApp({
        projects: directory,
        backend,
        settings: defaultStorageServiceSettings({ STORAGE_FILE_SIZE_LIMIT: 4 * largeBytes, STORAGE_UPLOADS_DIR: join(work, 'uploads') }),
        logger,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/storage/${PROJECT_ID}`;
      try {
        const client = new StorageCalls(base, serviceKey);
        await client.json('POST', '/bucket', { id: `bench-${kind}`, name: `bench-${kind}`, public: false });
        log(`${kind}: ${rounds} rounds of the ${mb(largeBytes)} object (floor, upload, download)`);
        const large: LargeRound[] = [];
        for (let round = 0; round < rounds; round += 1) {
          const result = await largeRound(client, `bench-${kind}`, source, work, round, kind === 'fs' ? plainServer.url : undefined);
          large.push(result);
          log(
            `   round ${round + 1}: floor ${result.floorMs.map((ms) => ms.toFixed(0)).join(' / ')} ms (copyFile ${result.floorCopyFileMs.toFixed(0)} ms), ` +
              `upload ${result.uploadMs.toFixed(0)} ms, download ${result.downloadMs.toFixed(0)} ms` +
              (result.plain ? `; bare route: upload ${result.plain.uploadMs.toFixed(0)} ms, download ${result.plain.downloadMs.toFixed(0)} ms` : ''),
          );
        }
        log(`${kind}: ${smallCount} objects of ${smallBytes / 1024} KB, ${smallConcurrency} at a time`);
        const small = await smallObjects(client, `bench-${kind}`, smallBodies, work);
        log(`   ${small.uploadsPerSecond.toFixed(0)} uploads/s, ${small.downloadsPerSecond.toFixed(0)} downloads/s (floor: ${small.floorFilesPerSecond.toFixed(0)} fsynced files/s)`);
        figures.push({ kind, large, small });
      } finally {
        // a connection still busy would hold close() for the 72 s keep-alive: say so, and end it
        const forced = setTimeout(() => {
          log(`${kind}: connections still open 1 s after close(): closing them`);
          app.server.closeAllConnections();
        }, 1000);
        await app.close();
        clearTimeout(forced);
        await backend.close();
        await s3?.close();
        s3 = undefined;
      }
    }
    await plainServer.close();
    await directory.close();
    await platformDb.end();

    const text = render(figures, loopbackMs, hashMs);
    process.stdout.write(text);
    if (!args.has('--no-write') && !BENCH_SMOKE) await writeFile(benchMd, text);
  } finally {
    await s3?.close();
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
    await agent.close();
    log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

class StorageCalls {
  constructor(
    private readonly base: string,
    readonly serviceKey: string,
  ) {}

  objectUrl(bucket: string, name: string): string {
    return `${this.base}/object/${bucket}/${name}`;
  }

  async json(method: 'POST' | 'GET', path: string, body?: unknown): Promise<unknown> {
    const response = await request(`${this.base}${path}`, {
      dispatcher: agent,
      method,
      headers: { authorization: `Bearer ${this.serviceKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text);
  }

  /** A raw-body upload (what storage-js sends for a Buffer or a stream). */
  async upload(bucket: string, name: string, body: Buffer | NodeJS.ReadableStream, length: number): Promise<void> {
    const response = await request(`${this.base}/object/${bucket}/${name}`, {
      dispatcher: agent,
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.serviceKey}`,
        'content-type': 'application/octet-stream',
        'content-length': String(length),
        'x-upsert': 'true',
      },
      body: body as Buffer,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`upload ${name}: ${response.statusCode} ${text}`);
  }

  async download(bucket: string, name: string, sink: Writable): Promise<void> {
    const response = await request(`${this.base}/object/authenticated/${bucket}/${name}`, {
      dispatcher: agent,
      method: 'GET',
      headers: { authorization: `Bearer ${this.serviceKey}` },
    });
    if (response.statusCode !== 200) throw new Error(`download ${name}: ${response.statusCode} ${await response.body.text()}`);
    await pipeline(response.body, sink);
  }
}

async function largeRound(client: StorageCalls, bucket: string, source: string, work: string, round: number, plainUrl?: string): Promise<LargeRound> {
  const floorTarget = join(work, `floor-${round}.bin`);
  const floorBefore = await streamCopyFloor(source, floorTarget);
  settleDisk();
  let t0 = performance.now();
  await pipeline(createReadStream(source, { highWaterMark: 1024 * 1024 }), createWriteStream(floorTarget, { highWaterMark: 1024 * 1024 }));
  const floorUnsyncedMs = performance.now() - t0;
  await rm(floorTarget);
  settleDisk();
  t0 = performance.now();
  await copyFile(source, floorTarget);
  await fsync(floorTarget);
  const floorCopyFileMs = performance.now() - t0;
  await rm(floorTarget);

  settleDisk();
  const objectUrl = client.objectUrl(bucket, 'large/object.bin');
  const uploadMs = await transfer('upload', objectUrl, source, client.serviceKey);
  const downloaded = join(work, `download-${round}.bin`);
  settleDisk();
  const downloadMs = await transfer('download', objectUrl.replace('/object/', '/object/authenticated/'), downloaded, client.serviceKey);
  if ((await stat(downloaded)).size !== largeBytes || (await digest(downloaded)) !== (await digest(source))) {
    throw new Error('the downloaded object differs from the uploaded one');
  }
  await rm(downloaded);
  let plain: LargeRound['plain'];
  if (plainUrl) {
    settleDisk();
    const plainUploadMs = await transfer('upload', `${plainUrl}/object-${round}`, source, 'none');
    settleDisk();
    const plainDownloadMs = await transfer('download', `${plainUrl}/object-${round}`, downloaded, 'none');
    await rm(downloaded);
    plain = { uploadMs: plainUploadMs, downloadMs: plainDownloadMs };
  }
  const floorAfter = await streamCopyFloor(source, floorTarget);
  return { floorMs: [floorBefore, floorAfter], floorUnsyncedMs, floorCopyFileMs, uploadMs, downloadMs, ...(plain ? { plain } : {}) };
}

/** Runs one transfer in a client process of its own (or in this one); its figure excludes the process start. */
async function transfer(mode: 'upload' | 'download', url: string, file: string, bearer: string): Promise<number> {
  if (inProcessClient) return runTransfer(mode, url, file, bearer);
  const child = spawn(process.execPath, ['--import', 'tsx', transferClient, mode, url, file, bearer], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${mode} client failed (exit ${code})`);
  return (JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { ms: number }).ms;
}

/**
 * Writes back every dirty page of the machine before a timed step, so each step starts from the
 * same disk state instead of paying for the previous step's write-back.
 */
function settleDisk(): void {
  execFileSync('sync');
}

/** The floor: the file copied by a plain stream read → write, fsynced before it counts as written. */
async function streamCopyFloor(source: string, target: string): Promise<number> {
  settleDisk();
  const t0 = performance.now();
  await pipeline(createReadStream(source, { highWaterMark: 1024 * 1024 }), createWriteStream(target, { flush: true, highWaterMark: 1024 * 1024 }));
  const ms = performance.now() - t0;
  await rm(target);
  return ms;
}

async function smallObjects(client: StorageCalls, bucket: string, bodies: Buffer[], work: string): Promise<BackendFigures['small']> {
  const floorFolder = join(work, 'small-floor');
  await mkdir(floorFolder, { recursive: true });
  let t0 = performance.now();
  await inParallel(smallCount, smallConcurrency, async (index) => {
    const handle = await open(join(floorFolder, `${index}.bin`), 'wx');
    await handle.writeFile(bodies[index % bodies.length]!);
    await handle.sync();
    await handle.close();
  });
  const floorFilesPerSecond = smallCount / ((performance.now() - t0) / 1000);
  await rm(floorFolder, { recursive: true, force: true });

  t0 = performance.now();
  await inParallel(smallCount, smallConcurrency, (index) => {
    const body = bodies[index % bodies.length]!;
    return client.upload(bucket, `small/${Math.floor(index / 100)}/${index}.bin`, body, body.length);
  });
  const uploadsPerSecond = smallCount / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  await inParallel(smallCount, smallConcurrency, (index) => client.download(bucket, `small/${Math.floor(index / 100)}/${index}.bin`, discard()));
  const downloadsPerSecond = smallCount / ((performance.now() - t0) / 1000);
  return { uploadsPerSecond, downloadsPerSecond, floorFilesPerSecond };
}

/**
 * The simplest durable HTTP file service Fastify allows: POST streams the body into a file
 * (fsynced), GET streams it back. No auth, no metadata, no storage code: what HTTP and the disk
 * cost by themselves, for comparison with the service's figures.
 */
async function startPlainFileServer(folder: string): Promise<{ url: string; close(): Promise<void> }> {
  await mkdir(folder, { recursive: true });
  const app = Fastify({ bodyLimit: 64 * 1024 });
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.post<{ Params: { name: string } }>('/plain/:name', async (request) => {
    await pipeline(request.raw, createWriteStream(join(folder, request.params.name), { flush: true }));
    return { ok: true };
  });
  app.get<{ Params: { name: string } }>('/plain/:name', async (request, reply) => {
    const path = join(folder, request.params.name);
    reply.header('content-length', String((await stat(path)).size)).type('application/octet-stream');
    return reply.send(createReadStream(path, { highWaterMark: 256 * 1024 }));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/plain`, close: () => app.close() };
}

/** Event-loop time to hash the large object's size of bytes, in 1 MB updates. */
function hashCost(algorithm: 'sha256' | 'md5'): number {
  const block = randomBytes(1024 * 1024);
  const hash = createHash(algorithm);
  const t0 = performance.now();
  for (let done = 0; done < largeBytes; done += block.length) hash.update(block);
  hash.digest();
  return performance.now() - t0;
}

/** The large object's size sent through a plain TCP socket on loopback and thrown away: what the network path costs before HTTP. */
async function loopbackTransfer(): Promise<number> {
  const block = Buffer.alloc(1024 * 1024, 7);
  const server = createNetServer((socket) => {
    let sent = 0;
    const push = (): void => {
      while (sent < largeBytes) {
        sent += block.length;
        if (!socket.write(block)) {
          socket.once('drain', push);
          return;
        }
      }
      socket.end();
    };
    push();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const t0 = performance.now();
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.resume();
    await once(socket, 'end');
    return performance.now() - t0;
  } finally {
    server.close();
  }
}

async function inParallel(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await work(index);
      }
    }),
  );
}

async function writeGenerated(path: string, size: number): Promise<void> {
  const stream = createWriteStream(path, { flush: true });
  const block = randomBytes(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    if (!stream.write(block.subarray(0, Math.min(block.length, size - written)))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'close');
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  await handle.sync();
  await handle.close();
}

async function digest(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;
const throughput = (ms: number): string => `${(largeBytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;
const percent = (ratio: number): string => `${(ratio * 100).toFixed(0)} %`;

function render(figures: BackendFigures[], loopbackMs: number, hashMs: { sha256: number; md5: number }): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines: string[] = [
    '# storage-service benchmark',
    '',
    'Written by `npm run bench:storage` (storage-service/bench/storage.bench.ts); rerun it to refresh.',
    '',
    '## Method',
    '',
    '- The service as it runs: `buildStorageApp` listening on 127.0.0.1, a project provisioned by the real',
    '  ProjectProvisioner in a throwaway PostgreSQL 15 (metadata queries go through RLS as service_role),',
    '  requests with the service key over HTTP (undici). The large object is sent and fetched by a client',
    inProcessClient
      ? '  inside the bench process, like the floor\'s copy: on these 2 vCPUs that measured faster than a client in a'
      : '  in a process of its own (BENCH_CLIENT=child; by default it runs inside the bench process, which measured faster',
    inProcessClient
      ? '  process of its own (BENCH_CLIENT=child), which competes for the second core with PostgreSQL and the disk.'
      : '  on these 2 vCPUs, where a second process competes for the second core with PostgreSQL and the disk).',
    '  The small objects are always sent by the bench process itself.',
    `- Large object: ${mb(largeBytes)} of random bytes. Upload = file → raw-body POST → service → backend`,
    '  (fs: streamed into a temporary file, fsynced, renamed, folder fsynced; run with the default ETag, derived',
    '  from the version, and with an ETag hashed from the bytes while they stream in, sha256 or md5 as S3 gives,',
    '  to show what hashing costs).',
    '  Download = GET → file, fsynced. The floor is a plain copy of the same file on the same disk in the same',
    '  run, fsynced too (a durable write is what both must do): streamed read → write in 1 MB blocks. Beside it,',
    '  for context: the same copy without fsync (page cache only) and `copyFile` (kernel copy) + fsync.',
    '  Ratio = floor time / service time (throughput relative to the floor). `sync` runs before every timed',
    '  step, so none pays for the write-back of the one before.',
    `- Small objects: ${smallCount} × ${smallBytes / 1024} KB raw-body uploads then downloads, ${smallConcurrency} in flight;`,
    `  the floor is ${smallCount} files of the same size written and fsynced with the same concurrency.`,
    `- ${rounds} rounds of the large object, the floor measured before the upload and after the download of`,
    '  each (disk write-back makes single figures noisy); medians. The s3 backend runs against s3rver (a Node',
    '  S3 imitation in a child process, storing on the same disk): informative only, it measures s3rver as much as us.',
    '',
    '## Machine',
    '',
    `- 2 vCPU AMD EPYC VM (${cpus().length} × ${cpu}), ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, Node ${process.versions.node}, PostgreSQL 15`,
    `- measured ${new Date().toISOString().slice(0, 10)}; 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
    '  (the machine is shared: anything else running shows in the figures, the floor included)',
    '',
    '## Results',
    '',
    `For scale: ${mb(largeBytes)} through a bare TCP socket on 127.0.0.1 (no HTTP, no disk, one process) takes ${loopbackMs.toFixed(0)} ms`,
    `here (${throughput(loopbackMs)}); hashing them in memory takes ${hashMs.sha256.toFixed(0)} ms with sha256 and ${hashMs.md5.toFixed(0)} ms with md5, all`,
    'on the one event loop that also runs the HTTP server. Measured in the same run.',
    '',
    `| backend | floor: copy + fsync | copy, no fsync | copyFile + fsync | upload | upload / floor | download | download / floor |`,
    `|---|---|---|---|---|---|---|---|`,
  ];
  const verdicts: string[] = [];
  for (const entry of figures) {
    const floor = median(entry.large.flatMap((round) => round.floorMs));
    const copyFileFloor = median(entry.large.map((round) => round.floorCopyFileMs));
    const unsynced = median(entry.large.map((round) => round.floorUnsyncedMs));
    const upload = median(entry.large.map((round) => round.uploadMs));
    const download = median(entry.large.map((round) => round.downloadMs));
    const uploadRatio = floor / upload;
    const downloadRatio = floor / download;
    lines.push(
      `| ${VARIANT_LABELS[entry.kind]} | ${throughput(floor)} | ${throughput(unsynced)} | ${throughput(copyFileFloor)} | ${throughput(upload)} | ${percent(uploadRatio)} | ${throughput(download)} | ${percent(downloadRatio)} |`,
    );
    if (entry.kind !== 's3') {
      const pass = uploadRatio >= TARGET_LARGE_RATIO && downloadRatio >= TARGET_LARGE_RATIO;
      verdicts.push(
        `- **${pass ? 'PASS' : 'FAIL'}** — ${VARIANT_LABELS[entry.kind]}, ${mb(largeBytes)} object: upload ${percent(uploadRatio)}, download ${percent(downloadRatio)} of the floor (target ≥ ${percent(TARGET_LARGE_RATIO)})`,
      );
    }
  }
  const plainRounds = figures.find((entry) => entry.kind === 'fs')?.large.flatMap((round) => (round.plain ? [round] : [])) ?? [];
  if (plainRounds.length > 0) {
    const floor = median(plainRounds.flatMap((round) => round.floorMs));
    const upload = median(plainRounds.map((round) => round.plain!.uploadMs));
    const download = median(plainRounds.map((round) => round.plain!.downloadMs));
    lines.push(
      `| *context: a bare Fastify route ↔ file, no storage code (same rounds as the fs row)* | ${throughput(floor)} | | | ${throughput(upload)} | ${percent(floor / upload)} | ${throughput(download)} | ${percent(floor / download)} |`,
    );
  }
  lines.push('', `| backend | small uploads/s | small downloads/s | floor: fsynced ${smallBytes / 1024} KB files/s |`, '|---|---|---|---|');
  for (const entry of figures) {
    lines.push(`| ${VARIANT_LABELS[entry.kind]} | ${entry.small.uploadsPerSecond.toFixed(0)} | ${entry.small.downloadsPerSecond.toFixed(0)} | ${entry.small.floorFilesPerSecond.toFixed(0)} |`);
  }
  const defaultFs = figures.find((entry) => entry.kind === 'fs');
  if (defaultFs) {
    const floor = median(defaultFs.large.flatMap((round) => round.floorMs));
    const budget = floor / TARGET_LARGE_RATIO;
    lines.push(
      '',
      '### Reading the figures',
      '',
      `- At ${percent(TARGET_LARGE_RATIO)} of this run's floor (${floor.toFixed(0)} ms), the ${mb(largeBytes)} object has ${budget.toFixed(0)} ms for everything;`,
      `  a bare TCP transfer of the same bytes on loopback, with no HTTP and no disk, already takes ${loopbackMs.toFixed(0)} ms of it.`,
      '  The upload and download must also parse HTTP, write the file and fsync it, on one event loop.',
      ...(() => {
        const plainRounds = defaultFs.large.flatMap((round) => (round.plain ? [round.plain] : []));
        if (plainRounds.length === 0) return [];
        const upload = median(plainRounds.map((round) => round.uploadMs));
        const download = median(plainRounds.map((round) => round.downloadMs));
        return [
          `- A bare Fastify route that only streams the body into a file (or a file into the reply) needs ${upload.toFixed(0)} ms to`,
          `  take and ${download.toFixed(0)} ms to give the same object in the same rounds (${percent(floor / upload)} / ${percent(floor / download)} of the floor), with no`,
          '  auth, RLS, metadata or backend at all: on this machine HTTP alone stays short of the target.',
        ];
      })(),
      '- The fs backend overlaps the disk with the transfer (it starts write-back every 8 MB, so the final',
      `  fsync has little left), and by default does not hash the bytes, which would add the ${hashMs.sha256.toFixed(0)} / ${hashMs.md5.toFixed(0)} ms above`,
      '  to every 100 MB (the sha256 and md5 rows; on a shared machine the difference between rows is often',
      '  within the noise between runs). The ETag still changes with the content: every upload writes a new',
      '  version, and the ETag is derived from it.',
      '- The floor itself moves with whatever else the shared machine is doing (compare the floors of the',
      '  rows, measured minutes apart); each ratio compares figures taken within the same minute.',
    );
  }
  lines.push('', ...verdicts, '', '### Every round (ms)', '', '| backend | round | floor (before / after) | copy, no fsync | copyFile + fsync | upload | download |', '|---|---|---|---|---|---|---|');
  for (const entry of figures) {
    entry.large.forEach((round, index) => {
      lines.push(`| ${VARIANT_LABELS[entry.kind]} | ${index + 1} | ${round.floorMs.map((ms) => ms.toFixed(0)).join(' / ')} | ${round.floorUnsyncedMs.toFixed(0)} | ${round.floorCopyFileMs.toFixed(0)} | ${round.uploadMs.toFixed(0)} | ${round.downloadMs.toFixed(0)} |`);
    });
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
